# Reference values for tests/test_segment.py from R's poLCA: latent class models of the two
# published tables in data/raw/lca/. CRAN is not reachable here, so poLCA 1.6.0.2 was installed
# from its public source repository (cran/poLCA) into a local R library; none of its code is
# part of cxstats. Regenerate with:
#   Rscript tests/reference/make_lca_reference.R > tests/reference/r_lca_values.py
suppressPackageStartupMessages(library(poLCA))
options(digits = 17)
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "helpers.R"))
cat('"""Reference values from R\'s poLCA; see make_lca_reference.R (do not edit)."""\n\n')
cat("# ", R.version.string, "; poLCA ", as.character(packageVersion("poLCA")), "\n", sep = "")
cat("# poLCA(cbind(...) ~ 1, rows, nclass, nrep = 20, maxiter = 20000, tol = 1e-12), rows expanded from the counts;\n")
cat("# classes sorted by their share; ITEM_<k> is each class's probability of the second answer, item by item\n")
fit <- function(name, items, k) {
  t <- read.csv(file.path(here, "..", "..", "data", "raw", "lca", paste0(name, ".csv")), stringsAsFactors = TRUE)
  rows <- t[rep(seq_len(nrow(t)), t$count), items]
  f <- as.formula(paste0("cbind(", paste(items, collapse = ","), ") ~ 1"))
  set.seed(1)
  m <- poLCA(f, rows, nclass = k, nrep = 20, maxiter = 20000, tol = 1e-12, verbose = FALSE)
  o <- order(m$P)
  tag <- paste0(toupper(name), "_", k)
  emit(paste0(tag, "_LOGLIK"), num(m$llik))
  emit(paste0(tag, "_SHARES"), vec(m$P[o]))
  emit(paste0(tag, "_ITEM"), paste0("[", paste(sapply(o, function(cl) vec(sapply(m$probs, function(p) p[cl, 2]))),
                                                collapse = ", "), "]"))
}
fit("carcinoma", LETTERS[1:7], 2)
fit("carcinoma", LETTERS[1:7], 3)
fit("values", LETTERS[1:4], 2)
