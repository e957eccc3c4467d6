# Writes the api data sets of R's survey package (California Academic Performance Index,
# data(api, package = "survey")) to plain CSVs for the design tests:
#   api_strat.csv  <- apistrat (stratified by school type: id = ~1, strata = ~stype, fpc = ~fpc)
#   api_clus1.csv  <- apiclus1 (one-stage cluster sample of districts: id = ~dnum, fpc = ~fpc)
#   api_clus2.csv  <- apiclus2 (two-stage: districts then schools, fpc = ~fpc1 + fpc2; enroll has NAs)
# Rows are in the package's order; yes/no factors become 0/1 (1 = "Yes"); dots in names become
# underscores; NA is written as an empty field. Two derived columns:
#   nps10   = pmin(10, pmax(0, round((api00 - 400) / 50)))  (0-10 "recommend" score; R's round
#             is round-half-even, the CSV stores the result)
#   rating5 = meals cut at its own quintiles (quantile type 7, include.lowest), as 1..5
# Regenerate with (either survey version gives the same data):
#   Rscript tests/reference/export_api.R
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
lib <- Sys.getenv("SURVEY_LIB", "/opt/rlib45")
if (nzchar(lib)) .libPaths(c(lib, .libPaths()))
data(api, package = "survey")
yes01 <- function(x) as.integer(x == "Yes")
tidy <- function(d, ids, fpcs) {
  out <- data.frame(d[, c(ids, "stype", fpcs, "pw", "api00", "api99", "enroll")])
  for (v in fpcs) out[[v]] <- as.vector(out[[v]])  # apiclus2$fpc2 is a 1-d array
  out$stype <- as.character(out$stype)
  out$sch_wide <- yes01(d$sch.wide)
  out$comp_imp <- yes01(d$comp.imp)
  out$awards <- yes01(d$awards)
  out$both <- yes01(d$both)
  out$meals <- d$meals
  out$nps10 <- as.integer(pmin(10, pmax(0, round((d$api00 - 400) / 50))))
  br <- quantile(d$meals, 0:5 / 5)
  stopifnot(!anyDuplicated(br))
  out$rating5 <- cut(d$meals, br, include.lowest = TRUE, labels = FALSE)
  rownames(out) <- NULL
  out
}
sets <- list(
  api_strat.csv = tidy(apistrat, c("cds", "snum", "dnum"), "fpc"),
  api_clus1.csv = tidy(apiclus1, c("cds", "snum", "dnum"), "fpc"),
  api_clus2.csv = tidy(apiclus2, c("cds", "snum", "dnum"), c("fpc1", "fpc2")))
for (f in names(sets)) {
  write.csv(sets[[f]], file.path(here, f), row.names = FALSE, quote = FALSE, na = "")
  cat(f, ": ", nrow(sets[[f]]), " rows; NAs: ",
      paste(names(sets[[f]]), colSums(is.na(sets[[f]])), sep = "=", collapse = " "), "\n", sep = "")
}
