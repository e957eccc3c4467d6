# Reference values for tests/test_survey.py from R's survey package (Debian's r-cran-survey).
# The data, survey_sample.csv, is a fixed synthetic sample made once for these tests.
# Regenerate with:
#   Rscript tests/reference/make_survey_reference.R > tests/reference/r_survey_values.py
suppressPackageStartupMessages(library(survey))
options(digits = 17)
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "helpers.R"))
d <- read.csv(file.path(here, "survey_sample.csv"))
cat('"""Reference values produced by R\'s survey package; see make_survey_reference.R (do not edit)."""\n\n')
cat("# ", R.version.string, "; survey ", as.character(packageVersion("survey")), "\n", sep = "")
des <- svydesign(ids = ~1, weights = ~w, data = d)

cat("# svymean(~likes, des, na.rm = TRUE, deff = 'replace')\n")
m <- svymean(~likes, des, na.rm = TRUE, deff = "replace")
emit("LIKES_MEAN", num(coef(m))); emit("LIKES_SE", num(SE(m))); emit("LIKES_DEFF", num(deff(m)))
for (meth in c("logit", "beta", "mean")) {
  cat("# svyciprop(~likes, des, method = '", meth, "', na.rm = TRUE)\n", sep = "")
  ci <- confint(svyciprop(~likes, des, method = meth, na.rm = TRUE))
  emit(paste0("LIKES_CI_", toupper(meth)), vec(ci))
}
cat("# svyby(~likes, ~region, des, svymean, na.rm = TRUE), regions in sorted order\n")
b <- svyby(~likes, ~region, des, svymean, na.rm = TRUE)
emit("BY_REGION", strs(as.character(b$region)))
emit("BY_MEAN", vec(coef(b))); emit("BY_SE", vec(SE(b)))
cat("# deff per region: svymean(~likes, subset(des, region == r), na.rm = TRUE, deff = 'replace')\n")
emit("BY_DEFF", vec(sapply(as.character(b$region), function(r) deff(svymean(~likes, subset(des, region == r), na.rm = TRUE, deff = "replace")))))
for (meth in c("logit", "beta", "mean")) {
  cat("# svyby(~likes, ~region, des, svyciprop, method = '", meth, "', vartype = 'ci', na.rm = TRUE)\n", sep = "")
  bc <- svyby(~likes, ~region, des, svyciprop, method = meth, vartype = "ci", na.rm = TRUE)
  emit(paste0("BY_CI_LOW_", toupper(meth)), vec(bc$ci_l)); emit(paste0("BY_CI_HIGH_", toupper(meth)), vec(bc$ci_u))
}
cat("# svymean(~csat, des, na.rm = TRUE, deff = 'replace'); confint(..., df = degf(des))\n")
m <- svymean(~csat, des, na.rm = TRUE, deff = "replace")
emit("CSAT_MEAN", num(coef(m))); emit("CSAT_SE", num(SE(m))); emit("CSAT_DEFF", num(deff(m)))
emit("CSAT_CI", vec(confint(m, df = degf(des))))
cat("# svyby(~csat, ~segment, des, svymean, na.rm = TRUE)\n")
b <- svyby(~csat, ~segment, des, svymean, na.rm = TRUE)
emit("CSAT_BY_MEAN", vec(coef(b))); emit("CSAT_BY_SE", vec(SE(b)))
cat("# NPS: svymean(~I(100 * ((nps >= 9) - (nps <= 6))), des), and svyby by segment\n")
m <- svymean(~I(100 * ((nps >= 9) - (nps <= 6))), des)
emit("NPS", num(coef(m))); emit("NPS_SE", num(SE(m)))
b <- svyby(~I(100 * ((nps >= 9) - (nps <= 6))), ~segment, des, svymean)
emit("NPS_BY", vec(coef(b))); emit("NPS_BY_SE", vec(SE(b)))
cat("# rake(des, list(~age, ~region), targets as counts summing to 300), epsilon 1e-12\n")
age_t <- data.frame(age = c("18-34", "35-54", "55+"), Freq = c(90, 120, 90))
reg_t <- data.frame(region = c("East", "North", "South", "West"), Freq = c(60, 90, 90, 60))
r <- rake(des, list(~age, ~region), list(age_t, reg_t), control = list(maxit = 1000, epsilon = 1e-12))
emit("RAKE_WEIGHTS", vec(weights(r)))
emit("RAKE_LIKES", num(coef(svymean(~likes, r, na.rm = TRUE))))
cat("# svychisq(~region + segment, des, statistic = 'F') and 'Chisq'\n")
f <- svychisq(~region + segment, des, statistic = "F")
emit("RS_F", num(f$statistic)); emit("RS_NDF", num(f$parameter[1])); emit("RS_DDF", num(f$parameter[2]))
emit("RS_F_P", num(f$p.value))
f1 <- svychisq(~region + segment, des, statistic = "Chisq")
emit("RS_CHISQ", num(f1$statistic)); emit("RS_CHISQ_P", num(f1$p.value))
cat("# chisq.test(table(d$region, d$segment), correct = FALSE) (unweighted)\n")
u <- chisq.test(table(d$region, d$segment), correct = FALSE)
emit("PEARSON", num(u$statistic)); emit("PEARSON_P", num(u$p.value))
cat("# profile: each segment against the rest, svyttest(y ~ I(segment == s), des); coefficient and its SE\n")
for (v in c("csat", "likes")) {
  est <- c(); se <- c()
  for (s in c("A", "B", "C")) {
    tt <- svyttest(as.formula(paste(v, "~ I(segment == '", s, "')", sep = "")), des)
    est <- c(est, unname(tt$estimate)); se <- c(se, unname(tt$estimate / tt$statistic))
  }
  emit(paste0("PROFILE_", toupper(v), "_DIFF"), vec(est)); emit(paste0("PROFILE_", toupper(v), "_SE"), vec(se))
}
