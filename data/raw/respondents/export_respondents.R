# Export the respondent datasets of data/raw/respondents/ from Debian's R packages (no network).
#
# Run once from anywhere:  Rscript data/raw/respondents/export_respondents.R
# Needs: apt-get install r-cran-bayesm r-cran-mass
# Writes plain UTF-8 CSV files with a header, values exactly as stored in the packages,
# and prints the figures the tests check (tests/test_responses.py).

library(bayesm)
library(MASS)

script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
out_dir <- dirname(normalizePath(script))

write_plain <- function(df, name) {
  # no row names, no quotes: every value is a number or a word without commas or quotes
  text <- vapply(df, function(x) any(grepl("[,\"\n]", as.character(x))), logical(1))
  stopifnot(!any(text), !anyNA(df))
  dir.create(file.path(out_dir, name), showWarnings = FALSE)
  path <- file.path(out_dir, name, paste0(name, ".csv"))
  write.csv(df, path, row.names = FALSE, quote = FALSE, fileEncoding = "UTF-8")
  cat("wrote", path, ":", nrow(df), "rows,", ncol(df), "columns\n")
}

versions <- function(pkg) {
  d <- packageDescription(pkg)
  cat(pkg, d$Version, "licence:", d$License, "\n")
}

cat(R.version.string, "\n")
versions("bayesm")
versions("MASS")

# bayesm customerSat: one row per customer, q1..q10 rated 1 (Poor) to 10 (Excellent)
data(customerSat, package = "bayesm")
stopifnot(nrow(customerSat) == 1811, identical(names(customerSat), paste0("q", 1:10)),
          all(sapply(customerSat, is.integer)), all(as.matrix(customerSat) %in% 1:10))
str(customerSat)
write_plain(customerSat, "customer_sat")
print(round(colMeans(customerSat), 6))

# MASS housing: 72 cells of Sat x Infl x Type x Cont with their frequency Freq
data(housing, package = "MASS")
stopifnot(nrow(housing) == 72, sum(housing$Freq) == 1681,
          identical(names(housing), c("Sat", "Infl", "Type", "Cont", "Freq")))
str(housing)
write_plain(housing, "copenhagen_housing")
print(xtabs(Freq ~ Sat + Infl, housing))
