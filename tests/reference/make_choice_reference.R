# Reference values for tests/test_valuation_choice.py from R's mlogit (conditional logit on
# Train's electricity data, data/raw/electricity/electricity.csv.gz). CRAN is not reachable
# here, so mlogit 1.1-3 and dfidx 0.1-2 were installed from their public source repositories
# (cran/mlogit, cran/dfidx) into a local R library, with Debian's r-cran-* packages for their
# dependencies and r-cran-car for deltaMethod; none of their code is part of cxstats.
# Regenerate with:
#   Rscript tests/reference/make_choice_reference.R > tests/reference/r_choice_values.py
suppressPackageStartupMessages({library(mlogit); library(car)})
options(digits = 17)
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "helpers.R"))
d <- read.csv(gzfile(file.path(here, "..", "..", "data", "raw", "electricity", "electricity.csv.gz")))
d$choice <- as.logical(d$choice)
e <- dfidx(d, idx = list(c("chid", "id"), "alt"), choice = "choice")
cat('"""Reference values from R\'s mlogit; see make_choice_reference.R (do not edit)."""\n\n')
cat("# ", R.version.string, "; mlogit ", as.character(packageVersion("mlogit")),
    "; car ", as.character(packageVersion("car")), "\n", sep = "")
cat("# mlogit(choice ~ pf + cl + loc + wk + tod + seas | 0, e, tol = 1e-14), Newton-Raphson\n")
m <- mlogit(choice ~ pf + cl + loc + wk + tod + seas | 0, e, tol = 1e-14)
emit("TERMS", strs(names(coef(m))))
emit("ESTIMATE", vec(coef(m))); emit("SE", vec(sqrt(diag(vcov(m))))); emit("LOGLIK", num(as.numeric(logLik(m))))
cat("# clustered by customer: solve(-H) %*% crossprod(rowsum(scores, id)) %*% solve(-H) * G / (G - 1),\n")
cat("# with mlogit's Hessian and per-choice-set scores at the estimates\n")
ids <- d$id[d$alt == 1]
G <- length(unique(ids))
bread <- solve(-m$hessian)
robust <- bread %*% crossprod(rowsum(m$gradient, ids)) %*% bread * G / (G - 1)
emit("ROBUST_SE", vec(sqrt(diag(robust))))
cat("# willingness to pay -b_k / b_pf with car::deltaMethod on the clustered covariance\n")
others <- setdiff(names(coef(m)), "pf")
wtp <- t(sapply(others, function(k) unlist(deltaMethod(coef(m), paste0("-", k, " / pf"), vcov. = robust)[1, 1:2])))
emit("WTP_TERMS", strs(others)); emit("WTP", vec(wtp[, 1])); emit("WTP_SE", vec(wtp[, 2]))
