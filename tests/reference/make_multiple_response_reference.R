# Reference values for tests/test_multiple_response.py from R's survey package (Debian's r-cran-survey).
# The data, multiple_response_sample.csv, is a fixed synthetic sample made once for these tests: 420
# respondents in 3 strata of clustered PSUs with weights, a segment, a region and four select-all options
# (phone, email, chat, social) written as 1 when ticked and blank when not, some respondents ticking none.
# Regenerate with:
#   Rscript tests/reference/make_multiple_response_reference.R > tests/reference/r_multiple_response_values.py
suppressPackageStartupMessages(library(survey))
options(digits = 17)
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "helpers.R"))
d <- read.csv(file.path(here, "multiple_response_sample.csv"), stringsAsFactors = FALSE)
opts <- c("phone", "email", "chat", "social")
for (o in opts) d[[o]] <- as.numeric(!is.na(d[[o]]))  # ticked = 1, blank = not ticked
d$count <- rowSums(d[opts])
d$any <- as.numeric(d$count > 0)
cat('"""Reference values produced by R\'s survey package; see make_multiple_response_reference.R (do not edit)."""\n\n')
cat("# ", R.version.string, "; survey ", as.character(packageVersion("survey")), "\n", sep = "")
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
emit("DEGF", num(degf(des)))

cat("# base all: svymean(~o, des, deff = 'replace') and svyciprop(~o, des, method = 'logit') per option\n")
m <- lapply(opts, function(o) svymean(as.formula(paste0("~", o)), des, deff = "replace"))
emit("ALL_MEAN", vec(sapply(m, coef))); emit("ALL_SE", vec(sapply(m, SE))); emit("ALL_DEFF", vec(sapply(m, deff)))
ci <- sapply(opts, function(o) confint(svyciprop(as.formula(paste0("~", o)), des, method = "logit")))
emit("ALL_CI_LOW", vec(ci[1, ])); emit("ALL_CI_HIGH", vec(ci[2, ]))

cat("# base answered: the same on subset(des, any > 0)\n")
sub <- subset(des, any > 0)
m <- lapply(opts, function(o) svymean(as.formula(paste0("~", o)), sub))
emit("ANSWERED_N", num(sum(d$any)))
emit("ANSWERED_MEAN", vec(sapply(m, coef))); emit("ANSWERED_SE", vec(sapply(m, SE)))
ci <- sapply(opts, function(o) confint(svyciprop(as.formula(paste0("~", o)), sub, method = "logit")))
emit("ANSWERED_CI_LOW", vec(ci[1, ])); emit("ANSWERED_CI_HIGH", vec(ci[2, ]))

cat("# mean number ticked: svymean(~count, des) and svymean(~count, sub); confint(..., df = degf(des))\n")
m <- svymean(~count, des); emit("COUNT_ALL", vec(c(coef(m), SE(m))))
emit("COUNT_ALL_CI", vec(confint(m, df = degf(des))))
m <- svymean(~count, sub); emit("COUNT_ANSWERED", vec(c(coef(m), SE(m))))

cat("# by segment (sorted: lapsed, new, repeat): svyby(~o, ~segment, des, svymean, covmat = TRUE);\n")
cat("# each pair by svycontrast, t with degf(des) degrees of freedom; p.adjust(all 12 p-values, 'holm')\n")
pairs <- list(c(1, 2), c(1, 3), c(2, 3))
by_mean <- c(); by_se <- c(); diff <- c(); diff_se <- c(); p <- c()
for (o in opts) {
  b <- svyby(as.formula(paste0("~", o)), ~segment, des, svymean, covmat = TRUE)
  by_mean <- c(by_mean, coef(b)); by_se <- c(by_se, SE(b))
  for (pr in pairs) {
    w <- rep(0, 3); w[pr[1]] <- 1; w[pr[2]] <- -1
    cc <- svycontrast(b, w)
    diff <- c(diff, coef(cc)); diff_se <- c(diff_se, SE(cc))
    p <- c(p, 2 * pt(-abs(coef(cc) / SE(cc)), degf(des)))
  }
}
emit("BY_MEAN", vec(by_mean)); emit("BY_SE", vec(by_se))
emit("PAIR_DIFF", vec(diff)); emit("PAIR_SE", vec(diff_se)); emit("PAIR_P", vec(p))
emit("PAIR_P_HOLM", vec(p.adjust(p, "holm")))
cat("# svyby(~o, ~segment, des, svyciprop, method = 'logit', vartype = 'ci') per option\n")
low <- c(); high <- c()
for (o in opts) {
  b <- svyby(as.formula(paste0("~", o)), ~segment, des, svyciprop, method = "logit", vartype = "ci")
  low <- c(low, b$ci_l); high <- c(high, b$ci_u)
}
emit("BY_CI_LOW", vec(low)); emit("BY_CI_HIGH", vec(high))

cat("# crosstab of segment by the options: p_rc = svyratio(~I((segment == r) * o), ~o, des), all 12 with\n")
cat("# covmat = TRUE; letters from t tests of every pair of options within a segment (degf(des)), Holm over all\n")
segs <- sort(unique(d$segment))
for (r in segs) for (o in opts) d[[paste0("n_", r, "_", o)]] <- (d$segment == r) * d[[o]]
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
num_f <- as.formula(paste("~", paste(paste0("n_", rep(segs, each = 4), "_", opts), collapse = " + ")))
den_f <- as.formula(paste("~", paste(opts, collapse = " + ")))
ratio <- svyratio(num_f, den_f, des, covmat = TRUE)
est <- coef(ratio)
V <- vcov(ratio)
nm <- names(est)
key <- function(r, o) which(nm == paste0("n_", r, "_", o, "/", o))
cell_est <- c(); cell_se <- c()
for (r in segs) for (o in opts) { k <- key(r, o); cell_est <- c(cell_est, est[k]); cell_se <- c(cell_se, sqrt(V[k, k])) }
emit("CELL_ESTIMATE", vec(cell_est)); emit("CELL_SE", vec(cell_se))
lp <- c(); lab <- c()
for (r in segs) for (i in 1:3) for (j in (i + 1):4) {
  a <- key(r, opts[i]); b <- key(r, opts[j])
  t <- (est[a] - est[b]) / sqrt(V[a, a] + V[b, b] - 2 * V[a, b])
  lp <- c(lp, 2 * pt(-abs(t), degf(des)))
  lab <- c(lab, paste(r, ifelse(t > 0, LETTERS[i], LETTERS[j]), ifelse(t > 0, LETTERS[j], LETTERS[i])))
}
emit("LETTER_P", vec(lp)); emit("LETTER_PAIRS", strs(lab)); emit("LETTER_P_HOLM", vec(p.adjust(lp, "holm")))

cat("# per option: svychisq(~segment + o, des, statistic = 'F'); p.adjust(p, 'holm')\n")
f <- lapply(opts, function(o) svychisq(as.formula(paste0("~segment + ", o)), des, statistic = "F"))
emit("OPTION_F", vec(sapply(f, function(x) x$statistic)))
emit("OPTION_NDF", vec(sapply(f, function(x) x$parameter[1]))); emit("OPTION_DDF", vec(sapply(f, function(x) x$parameter[2])))
emit("OPTION_P", vec(sapply(f, function(x) x$p.value)))
emit("OPTION_P_HOLM", vec(p.adjust(sapply(f, function(x) x$p.value), "holm")))
cat("# unweighted: chisq.test(table(segment, o), correct = FALSE) per option\n")
u <- lapply(opts, function(o) chisq.test(table(d$segment, d[[o]]), correct = FALSE))
emit("PEARSON", vec(sapply(u, function(x) x$statistic))); emit("PEARSON_P", vec(sapply(u, function(x) x$p.value)))
