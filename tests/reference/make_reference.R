# Reference values for tests/test_*.py, produced by R (Debian's r-base-core,
# r-cran-pwr, r-cran-metafor). Regenerate with:
#   Rscript tests/reference/make_reference.R > tests/reference/r_values.py
# Every value is written with 17 significant digits; each block says which R
# call produced it.
suppressPackageStartupMessages({library(pwr); library(metafor)})
options(digits = 17)
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "helpers.R"))
cat('"""Reference values produced by R; see make_reference.R (do not edit by hand)."""\n\n')
cat("# R version: ", R.version.string, "; pwr ", as.character(packageVersion("pwr")),
    "; metafor ", as.character(packageVersion("metafor")), "\n\n", sep = "")

## One sample ---------------------------------------------------------------
x <- c(0, 1, 15, 81, 1662, 20, 1, 0, 112, 200, 3, 1042, 123456, 7)
n <- c(20, 29, 148, 263, 2003, 20, 1, 1, 250, 250, 10, 2003, 1000000, 9)
emit("ONE_X", vec(x)); emit("ONE_N", vec(n))
for (cc in c(FALSE, TRUE)) {
  ci <- t(mapply(function(a, b) prop.test(a, b, correct = cc)$conf.int, x, n))
  tag <- if (cc) "WILSON_CC" else "WILSON"
  cat("# prop.test(x, n, correct = ", cc, ")$conf.int\n", sep = "")
  emit(paste0(tag, "_LOW"), vec(ci[, 1])); emit(paste0(tag, "_HIGH"), vec(ci[, 2]))
}
cat("# binom.test(x, n)$conf.int (Clopper-Pearson)\n")
ci <- t(mapply(function(a, b) binom.test(a, b)$conf.int, x, n))
emit("CP_LOW", vec(ci[, 1])); emit("CP_HIGH", vec(ci[, 2]))
cat("# Jeffreys: qbeta(c(.025, .975), x + .5, n - x + .5), 0 at x = 0, 1 at x = n\n")
emit("JEFFREYS_LOW", vec(ifelse(x == 0, 0, qbeta(0.025, x + 0.5, n - x + 0.5))))
emit("JEFFREYS_HIGH", vec(ifelse(x == n, 1, qbeta(0.975, x + 0.5, n - x + 0.5))))
cat("# Agresti-Coull by its closed form: nt = n + z^2, pt = (x + z^2/2)/nt, pt -/+ z sqrt(pt(1-pt)/nt), clipped\n")
z <- qnorm(0.975); nt <- n + z^2; pt <- (x + z^2 / 2) / nt
emit("AC_LOW", vec(pmax(0, pt - z * sqrt(pt * (1 - pt) / nt))))
emit("AC_HIGH", vec(pmin(1, pt + z * sqrt(pt * (1 - pt) / nt))))
cat("# prop.test(x, n, conf.level = 0.90, correct = FALSE)$conf.int\n")
ci <- t(mapply(function(a, b) prop.test(a, b, conf.level = 0.90, correct = FALSE)$conf.int, x, n))
emit("WILSON90_LOW", vec(ci[, 1])); emit("WILSON90_HIGH", vec(ci[, 2]))

## One-sample tests ---------------------------------------------------------
tx <- c(1042, 3, 10, 0, 7, 1662, 112, 5, 1, 40)
tn <- c(2003, 10, 10, 10, 14, 2003, 250, 20, 1, 100)
tp <- c(0.5, 0.5, 0.5, 0.3, 0.5, 0.75, 0.4, 0.1, 0.5, 0.33)
emit("TEST_X", vec(tx)); emit("TEST_N", vec(tn)); emit("TEST_P", vec(tp))
for (alt in c("two.sided", "less", "greater")) {
  tag <- toupper(sub(".sided", "", alt))
  cat("# binom.test(x, n, p, alternative = '", alt, "')\n", sep = "")
  emit(paste0("BINOM_P_", tag), vec(mapply(function(a, b, p) binom.test(a, b, p, alternative = alt)$p.value, tx, tn, tp)))
  lo <- mapply(function(a, b, p) binom.test(a, b, p, alternative = alt)$conf.int[1], tx, tn, tp)
  hi <- mapply(function(a, b, p) binom.test(a, b, p, alternative = alt)$conf.int[2], tx, tn, tp)
  emit(paste0("BINOM_CI_LOW_", tag), vec(lo)); emit(paste0("BINOM_CI_HIGH_", tag), vec(hi))
  cat("# prop.test(x, n, p, alternative = '", alt, "', correct = FALSE)\n", sep = "")
  emit(paste0("SCORE_P_", tag), vec(mapply(function(a, b, p) prop.test(a, b, p, alternative = alt, correct = FALSE)$p.value, tx, tn, tp)))
  lo <- mapply(function(a, b, p) prop.test(a, b, p, alternative = alt, correct = FALSE)$conf.int[1], tx, tn, tp)
  hi <- mapply(function(a, b, p) prop.test(a, b, p, alternative = alt, correct = FALSE)$conf.int[2], tx, tn, tp)
  emit(paste0("SCORE_CI_LOW_", tag), vec(lo)); emit(paste0("SCORE_CI_HIGH_", tag), vec(hi))
}
emit("SCORE_CHISQ", vec(mapply(function(a, b, p) prop.test(a, b, p, correct = FALSE)$statistic, tx, tn, tp)))

## Two samples --------------------------------------------------------------
x1 <- c(200, 195, 197, 56, 9, 6, 5, 10, 1042, 46, 3, 288)
n1 <- c(250, 250, 250, 70, 10, 7, 56, 10, 2003, 1000, 30, 362)
x2 <- c(112, 145, 113, 48, 3, 2, 0, 0, 901, 60, 3, 20)
n2 <- c(250, 250, 250, 80, 10, 7, 29, 20, 2003, 100, 40, 250)
emit("TWO_X1", vec(x1)); emit("TWO_N1", vec(n1)); emit("TWO_X2", vec(x2)); emit("TWO_N2", vec(n2))
for (cc in c(FALSE, TRUE)) {
  tag <- if (cc) "YATES" else "Z"
  cat("# prop.test(c(x1, x2), c(n1, n2), correct = ", cc, ")\n", sep = "")
  pt2 <- function(i, alt) suppressWarnings(prop.test(c(x1[i], x2[i]), c(n1[i], n2[i]), correct = cc, alternative = alt))
  idx <- seq_along(x1)
  emit(paste0(tag, "_CHISQ"), vec(sapply(idx, function(i) pt2(i, "two.sided")$statistic)))
  for (alt in c("two.sided", "less", "greater")) {
    emit(paste0(tag, "_P_", toupper(sub(".sided", "", alt))), vec(sapply(idx, function(i) pt2(i, alt)$p.value)))
  }
  emit(paste0(tag, "_CI_LOW"), vec(sapply(idx, function(i) pt2(i, "two.sided")$conf.int[1])))
  emit(paste0(tag, "_CI_HIGH"), vec(sapply(idx, function(i) pt2(i, "two.sided")$conf.int[2])))
}
cat("# fisher.test(matrix(c(x1, n1 - x1, x2, n2 - x2), 2, byrow = TRUE))\n")
ft <- function(i, alt) fisher.test(matrix(c(x1[i], n1[i] - x1[i], x2[i], n2[i] - x2[i]), 2, byrow = TRUE), alternative = alt)
idx <- seq_along(x1)
for (alt in c("two.sided", "less", "greater")) {
  emit(paste0("FISHER_P_", toupper(sub(".sided", "", alt))), vec(sapply(idx, function(i) ft(i, alt)$p.value)))
}
emit("FISHER_OR", vec(sapply(idx, function(i) ft(i, "two.sided")$estimate)))
cat("# conditional MLE of the odds ratio solved precisely with R's dhyper (fisher.test's uniroot stops near 1e-4)\n")
cmle <- function(i) {
  m <- n1[i]; nn <- n2[i]; k <- x1[i] + x2[i]; x <- x1[i]
  lo <- max(0, k - nn); hi <- min(k, m); support <- lo:hi
  logdc <- dhyper(support, m, nn, k, log = TRUE)
  mean_at <- function(logpsi) { d <- logdc + logpsi * support; d <- exp(d - max(d)); sum(support * d) / sum(d) }
  if (x == lo) return(0); if (x == hi) return(Inf)
  exp(uniroot(function(t) mean_at(t) - x, c(-60, 60), tol = 1e-13)$root)
}
emit("FISHER_OR_PRECISE", vec(sapply(idx, cmle)))

## p.adjust -----------------------------------------------------------------
pv <- c(0.01, 0.04, 0.03, 0.005, 0.5, 0.04, 0.2, 0.0001, 1, 0.049)
emit("PADJ_P", vec(pv))
for (m in c("holm", "hochberg", "bonferroni", "BH", "BY")) {
  cat("# p.adjust(p, method = '", m, "')\n", sep = ""); emit(paste0("PADJ_", toupper(m)), vec(p.adjust(pv, m)))
}

## chisq.test ---------------------------------------------------------------
t1 <- matrix(c(200, 50, 112, 138), 2, byrow = TRUE)
t2 <- matrix(c(12, 30, 45, 20, 18, 25, 8, 14, 40), 3, byrow = TRUE)
t3 <- matrix(c(3, 7, 2, 9, 1, 4, 6, 5), 2, byrow = TRUE)
for (nm in c("t1", "t2", "t3")) {
  r <- suppressWarnings(chisq.test(get(nm), correct = FALSE))
  cat("# chisq.test(", nm, ", correct = FALSE)\n", sep = "")
  emit(paste0("CHISQ_", toupper(nm)), paste0("{'statistic': ", num(r$statistic), ", 'dof': ", r$parameter,
       ", 'p_value': ", num(r$p.value), ", 'expected': ", vec(t(r$expected)), "}"))
}

## pwr ----------------------------------------------------------------------
pp1 <- c(0.50, 0.80, 0.78, 0.52, 0.30, 0.10)
pp2 <- c(0.55, 0.45, 0.58, 0.50, 0.20, 0.05)
emit("PWR_P1", vec(pp1)); emit("PWR_P2", vec(pp2))
for (alt in c("two.sided", "greater", "less")) {
  tag <- toupper(sub(".sided", "", alt))
  h <- ES.h(pp1, pp2)
  cat("# pwr.2p.test(h = ES.h(p1, p2), n = 250, alternative = '", alt, "')$power\n", sep = "")
  emit(paste0("PWR_POWER_250_", tag), vec(sapply(h, function(e) pwr.2p.test(h = e, n = 250, alternative = alt)$power)))
  cat("# pwr.2p2n.test(h = ES.h(p1, p2), n1 = 300, n2 = 150, alternative = '", alt, "')$power\n", sep = "")
  emit(paste0("PWR2N_POWER_", tag), vec(sapply(h, function(e) pwr.2p2n.test(h = e, n1 = 300, n2 = 150, alternative = alt)$power)))
}
cat("# n per group for power 0.8 (two-sided: p1, p2; greater: pmax, pmin; less: pmin, pmax):\n")
cat("# uniroot on pwr.2p.test's power with tol 1e-12 (pwr's own uniroot stops near 1e-4), and pwr's own n\n")
hs <- list(TWO = ES.h(pp1, pp2), GREATER = ES.h(pmax(pp1, pp2), pmin(pp1, pp2)), LESS = ES.h(pmin(pp1, pp2), pmax(pp1, pp2)))
alts <- c(TWO = "two.sided", GREATER = "greater", LESS = "less")
for (tag in names(hs)) {
  alt <- alts[[tag]]
  emit(paste0("PWR_N80_", tag), vec(sapply(hs[[tag]], function(e) uniroot(function(n) pwr.2p.test(h = e, n = n, alternative = alt)$power - 0.8, c(1, 1e9), tol = 1e-12)$root)))
  emit(paste0("PWR_N80_PWR_", tag), vec(sapply(hs[[tag]], function(e) pwr.2p.test(h = e, power = 0.8, alternative = alt)$n)))
}
cat("# n1 for power 0.9 with n2 = 2 n1 (two-sided): uniroot on pwr.2p2n.test, tol 1e-12\n")
emit("PWR2N_N90_RATIO2", vec(sapply(ES.h(pp1, pp2), function(e) uniroot(function(n) pwr.2p2n.test(h = e, n1 = n, n2 = 2 * n)$power - 0.9, c(2, 1e9), tol = 1e-12)$root)))

## metafor ------------------------------------------------------------------
mx <- c(901, 2075, 480, 0, 12); mn <- c(2003, 2500, 1000, 30, 40)
emit("META_X", vec(mx)); emit("META_N", vec(mn))
cat("# rma(measure = 'PLO', xi = x, ni = n, method = 'DL') and predict()\n")
r <- rma(measure = "PLO", xi = mx, ni = mn, method = "DL")
pr <- predict(r, transf = transf.ilogit)
es <- escalc(measure = "PLO", xi = mx, ni = mn)
emit("META", paste0("{'logit': ", num(r$b[1]), ", 'se': ", num(r$se), ", 'tau2': ", num(r$tau2), ", 'i2': ", num(r$I2),
  ", 'q': ", num(r$QE), ", 'p_heterogeneity': ", num(r$QEp), ", 'proportion': ", num(pr$pred), ", 'ci_low': ", num(pr$ci.lb),
  ", 'ci_high': ", num(pr$ci.ub), ", 'pi_low': ", num(pr$pi.lb), ", 'pi_high': ", num(pr$pi.ub),
  ", 'yi': ", vec(es$yi), ", 'vi': ", vec(es$vi), ", 'weights': ", vec(weights(r)), "}"))
r2 <- rma(measure = "PLO", xi = c(45, 50, 55), ni = c(100, 100, 100), method = "DL")
cat("# homogeneous case: rma(measure = 'PLO', xi = c(45, 50, 55), ni = c(100, 100, 100), method = 'DL')\n")
emit("META_HOMOGENEOUS", paste0("{'logit': ", num(r2$b[1]), ", 'se': ", num(r2$se), ", 'tau2': ", num(r2$tau2), ", 'i2': ", num(r2$I2), "}"))

## Bayesian probability with a Jeffreys prior --------------------------------
bx1 <- c(10, 200, 0, 5, 60); bn1 <- c(20, 250, 5, 2003, 100)
bx2 <- c(8, 112, 0, 3, 500); bn2 <- c(20, 250, 5, 2003, 1000)
emit("BAYES_X1", vec(bx1)); emit("BAYES_N1", vec(bn1)); emit("BAYES_X2", vec(bx2)); emit("BAYES_N2", vec(bn2))
cat("# integrate(dbeta(t, x1 + .5, n1 - x1 + .5) * pbeta(t, x2 + .5, n2 - x2 + .5), 0, 1, rel.tol = 1e-12)\n")
emit("BAYES_JEFFREYS", vec(sapply(seq_along(bx1), function(i) integrate(function(t) dbeta(t, bx1[i] + .5, bn1[i] - bx1[i] + .5) * pbeta(t, bx2[i] + .5, bn2[i] - bx2[i] + .5), 0, 1, rel.tol = 1e-12, subdivisions = 10000L)$value)))

## Fisher's exact test at large bases (up to 1e5) ---------------------------
lx1 <- c(4500, 50000, 30, 99990, 40000, 12000, 5, 45000, 49990, 700, 2, 4980, 60000, 1234)
ln1 <- c(10000, 100000, 100000, 100000, 100000, 60000, 200, 100000, 100000, 5000, 100000, 5000, 100000, 100000)
lx2 <- c(4700, 50500, 70, 99950, 44600, 9000, 12000, 1000, 50010, 3100, 9, 47000, 59000, 2)
ln2 <- c(10000, 100000, 100000, 100000, 100000, 40000, 100000, 2000, 100000, 20000, 100000, 50000, 100000, 50)
emit("BIG_X1", vec(lx1)); emit("BIG_N1", vec(ln1)); emit("BIG_X2", vec(lx2)); emit("BIG_N2", vec(ln2))
cat("# fisher.test(matrix(c(x1, n1 - x1, x2, n2 - x2), 2, byrow = TRUE)) at bases up to 1e5\n")
bft <- function(i, alt) fisher.test(matrix(c(lx1[i], ln1[i] - lx1[i], lx2[i], ln2[i] - lx2[i]), 2, byrow = TRUE), alternative = alt)
bidx <- seq_along(lx1)
for (alt in c("two.sided", "less", "greater")) {
  emit(paste0("BIG_FISHER_P_", toupper(sub(".sided", "", alt))), vec(sapply(bidx, function(i) bft(i, alt)$p.value)))
}
emit("BIG_FISHER_OR", vec(sapply(bidx, function(i) bft(i, "two.sided")$estimate)))
cat("# conditional MLE of the odds ratio solved precisely (as FISHER_OR_PRECISE)\n")
x1 <- lx1; n1 <- ln1; x2 <- lx2; n2 <- ln2
emit("BIG_FISHER_OR_PRECISE", vec(sapply(bidx, cmle)))

## p.adjust on a family with many ties, zeros and ones ----------------------
pt <- rep(c(0.001, 0.01, 0.01, 0.02, 0.04, 0.04, 0.04, 0.3, 1, 0, 0.5, 0.01), 5)[c(seq(1, 60, 2), seq(2, 60, 2))]
emit("PADJ_TIES_P", vec(pt))
for (m in c("holm", "hochberg", "bonferroni", "BH", "BY")) {
  cat("# p.adjust(p, method = '", m, "')\n", sep = ""); emit(paste0("PADJ_TIES_", toupper(m)), vec(p.adjust(pt, m)))
}

## Fisher's exact test: confidence interval of the odds ratio ---------------
cx1 <- c(3, 0, 5, 200, 9, 5, 0, 46, 1042, 4500, 30, 2, 12000, 1234, 99990, 0)
cn1 <- c(5, 5, 5, 250, 10, 56, 30, 1000, 2003, 10000, 100000, 100000, 60000, 100000, 100000, 100000)
cx2 <- c(1, 3, 2, 112, 3, 0, 4, 60, 901, 4700, 70, 9, 9000, 2, 99950, 5)
cn2 <- c(5, 5, 6, 250, 10, 29, 40, 100, 2003, 10000, 100000, 100000, 40000, 50, 100000, 100000)
emit("CI_FISHER_X1", vec(cx1)); emit("CI_FISHER_N1", vec(cn1)); emit("CI_FISHER_X2", vec(cx2)); emit("CI_FISHER_N2", vec(cn2))
cft <- function(i, alt, level) fisher.test(matrix(c(cx1[i], cn1[i] - cx1[i], cx2[i], cn2[i] - cx2[i]), 2, byrow = TRUE),
                                           alternative = alt, conf.level = level)$conf.int
for (level in c(0.95, 0.9)) {
  for (alt in c("two.sided", "less", "greater")) {
    tag <- paste0(toupper(sub(".sided", "", alt)), "_", round(100 * level))
    cat("# fisher.test(matrix(c(x1, n1 - x1, x2, n2 - x2), 2, byrow = TRUE), alternative = '", alt,
        "', conf.level = ", sprintf("%g", level), ")$conf.int\n", sep = "")
    ci <- sapply(seq_along(cx1), function(i) cft(i, alt, level))
    emit(paste0("FISHER_CI_LOW_", tag), vec(ci[1, ])); emit(paste0("FISHER_CI_HIGH_", tag), vec(ci[2, ]))
  }
}
