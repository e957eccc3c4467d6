# Reference values for tests/test_drivers.py and tests/test_reliability_ordinal.py:
# - relaimpo's calc.relimp (lmg, last, first) on bayesm's customerSat (q1 ~ q2 + ... + q10), unweighted,
#   weighted and with answers made missing (listwise, and pairwise through a pairwise correlation matrix),
#   and on R's swiss data (Fertility ~ .);
# - MASS's polr on MASS's housing (Sat ~ Infl + Type + Cont, weights = Freq), logit and probit;
# - psych's alpha (raw alpha, Feldt interval, alpha if an item is dropped, item-rest correlations) on
#   customerSat q1..q10 and on R's attitude data.
# CRAN is not reachable here, so relaimpo 2.2-7 was installed from its public source repository
# (cran/relaimpo) with `R CMD INSTALL`, with Debian's r-cran-* packages for its dependencies (mitools,
# survey, boot, corpcor), bayesm, MASS and psych; none of their code is part of cxstats.
# Regenerate with:
#   Rscript tests/reference/make_drivers_reference.R > tests/reference/r_drivers_values.py
suppressPackageStartupMessages({library(relaimpo); library(MASS); library(psych)})
options(digits = 17)
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "helpers.R"))
scalar <- function(x) trimws(num(x))  # one number, without formatC's padding
data(customerSat, package = "bayesm")
cs <- as.data.frame(lapply(customerSat, as.numeric))
n <- nrow(cs)
cat('"""Reference values from R\'s relaimpo, MASS and psych; see make_drivers_reference.R (do not edit)."""\n\n')
cat("# ", R.version.string, "; relaimpo ", as.character(packageVersion("relaimpo")), "; MASS ",
    as.character(packageVersion("MASS")), "; psych ", as.character(packageVersion("psych")), "; bayesm ",
    as.character(packageVersion("bayesm")), "\n", sep = "")

relimp <- function(tag, fit) {
  r <- calc.relimp(fit, type = c("lmg", "last", "first"), rela = FALSE)
  emit(paste0(tag, "_R2"), scalar(r@R2))
  emit(paste0(tag, "_LMG"), vec(r@lmg)); emit(paste0(tag, "_LAST"), vec(r@last)); emit(paste0(tag, "_FIRST"), vec(r@first))
}
drivers <- paste0("q", 2:10)
f <- as.formula(paste("q1 ~", paste(drivers, collapse = " + ")))
cat("# customerSat, q1 ~ q2 + ... + q10: calc.relimp(lm(...), type = c('lmg', 'last', 'first'), rela = FALSE)\n")
emit("CS_DRIVERS", strs(drivers))
relimp("CS", lm(f, data = cs))
cat("# the same with weights w = 1 + ((row - 1) %% 5) / 2 (rows numbered from 1): lm(..., weights = w)\n")
cs$w <- 1 + ((seq_len(n) - 1) %% 5) / 2
relimp("CS_W", lm(f, data = cs, weights = w))
cat("# answers made missing (rows numbered from 1): q1 where row %% 13 == 5, q3 where row %% 7 == 0,\n")
cat("# q5 where row %% 11 == 3. Listwise: lm(...) drops incomplete rows (na.omit). Pairwise: the correlation\n")
cat("# matrix cor(use = 'pairwise.complete.obs') of q1..q10 given to calc.relimp (first column the outcome)\n")
miss <- cs[, paste0("q", 1:10)]
i <- seq_len(n)
miss$q1[i %% 13 == 5] <- NA; miss$q3[i %% 7 == 0] <- NA; miss$q5[i %% 11 == 3] <- NA
emit("CS_MISSING_N", scalar(sum(complete.cases(miss))))
relimp("CS_LISTWISE", lm(f, data = miss))
pw <- cor(miss, use = "pairwise.complete.obs")
r <- calc.relimp(pw, type = "lmg", rela = FALSE)
emit("CS_PAIRWISE_R2", scalar(r@R2)); emit("CS_PAIRWISE_LMG", vec(r@lmg))
emit("CS_PAIRWISE_MIN_N", scalar(min(crossprod(!is.na(miss)))))
cat("# swiss (47 Swiss provinces, 1888): Fertility ~ Agriculture + Examination + Education + Catholic +\n")
cat("# Infant.Mortality\n")
emit("SWISS_DRIVERS", strs(names(swiss)[-1]))
relimp("SWISS", lm(Fertility ~ ., data = swiss))

cat("# polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing, Hess = TRUE, method = <link>);\n")
cat("# TERMS in R's order, named as cxstats names them; SE from vcov; CUTS are the zeta (Low|Medium, Medium|High)\n")
terms <- c("Infl[T.Medium]", "Infl[T.High]", "Type[T.Apartment]", "Type[T.Atrium]", "Type[T.Terrace]",
           "Cont[T.High]")
emit("POLR_TERMS", strs(terms))
emit("POLR_CUTS", strs(c("Low|Medium", "Medium|High")))
emit("HOUSING_N", scalar(sum(housing$Freq)))
for (link in c("logistic", "probit")) {
  m <- polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing, Hess = TRUE, method = link)
  tag <- paste0("POLR_", toupper(ifelse(link == "logistic", "logit", link)))
  se <- sqrt(diag(vcov(m)))
  emit(paste0(tag, "_COEF"), vec(coef(m))); emit(paste0(tag, "_COEF_SE"), vec(se[names(coef(m))]))
  emit(paste0(tag, "_ZETA"), vec(m$zeta)); emit(paste0(tag, "_ZETA_SE"), vec(se[names(m$zeta)]))
  emit(paste0(tag, "_LOGLIK"), scalar(as.numeric(logLik(m))))
}
cat("# numeric outcome and predictors: polr(factor(q1) ~ q2 + q4 + q6, data = customerSat, Hess = TRUE), logit\n")
m <- polr(factor(q1) ~ q2 + q4 + q6, data = cs, Hess = TRUE)
se <- sqrt(diag(vcov(m)))
emit("POLR_CS_COEF", vec(coef(m))); emit("POLR_CS_COEF_SE", vec(se[names(coef(m))]))
emit("POLR_CS_CUTS", strs(names(m$zeta)))
emit("POLR_CS_ZETA", vec(m$zeta)); emit("POLR_CS_ZETA_SE", vec(se[names(m$zeta)]))
emit("POLR_CS_LOGLIK", scalar(as.numeric(logLik(m))))

cat("# psych::alpha(x) on raw scores (complete data): raw_alpha, the Feldt 95% interval ($feldt),\n")
cat("# alpha.drop$raw_alpha and item.stats$r.drop (item against the sum of the other items)\n")
alpha_ref <- function(tag, x) {
  invisible(capture.output(a <- suppressWarnings(psych::alpha(x, check.keys = FALSE, warnings = FALSE))))
  emit(paste0(tag, "_ITEMS"), strs(names(x)))
  emit(paste0(tag, "_ALPHA"), scalar(a$total$raw_alpha))
  emit(paste0(tag, "_FELDT"), vec(c(a$feldt$lower.ci$raw_alpha, a$feldt$upper.ci$raw_alpha)))
  emit(paste0(tag, "_ALPHA_DROP"), vec(a$alpha.drop$raw_alpha))
  emit(paste0(tag, "_R_DROP"), vec(a$item.stats$r.drop))
}
alpha_ref("ALPHA_CS", cs[, paste0("q", 1:10)])
cat("# R's datasets used above, as {column: values}: swiss (rownames dropped) and attitude\n")
frame <- function(d) paste0("{", paste0("'", names(d), "': ", sapply(d, function(v) paste0("[", paste(trimws(num(v)), collapse = ", "), "]")), collapse = ", "), "}")
emit("SWISS", frame(swiss)); emit("ATTITUDE", frame(attitude))
alpha_ref("ALPHA_ATTITUDE", attitude)
