# Reference values for tests/test_wtp.py from R's pricesensitivitymeter 1.3.3
# (psm_analysis with its default settings). CRAN is not reachable here, so the
# package was installed from its public source repository (max-alletsee/
# pricesensitivitymeter, version 1.3.3) into a local R library; none of its code
# is part of cxstats. Regenerate with:
#   Rscript tests/reference/make_psm_reference.R > tests/reference/r_psm_values.py
suppressPackageStartupMessages(library(pricesensitivitymeter))
options(digits = 17)
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "helpers.R"))
d <- read.csv(file.path(here, "vw_sample.csv"))
cat('"""Reference values from R\'s pricesensitivitymeter; see make_psm_reference.R (do not edit)."""\n\n')
cat("# ", R.version.string, "; pricesensitivitymeter ", as.character(packageVersion("pricesensitivitymeter")), "\n", sep = "")
cat("# psm_analysis(too_cheap, cheap, expensive, too_expensive, data = d, pi_cheap, pi_expensive) (defaults otherwise)\n")
r <- suppressWarnings(psm_analysis(toocheap = "too_cheap", cheap = "cheap", expensive = "expensive",
                                   tooexpensive = "too_expensive", data = d,
                                   pi_cheap = "pi_cheap", pi_expensive = "pi_expensive"))
emit("PMC", num(r$pricerange_lower)); emit("PME", num(r$pricerange_upper))
emit("IDP", num(r$idp)); emit("OPP", num(r$opp))
emit("INVALID", num(r$invalid_cases)); emit("TOTAL", num(r$total_sample))
emit("CURVE_PRICE", vec(r$data_vanwestendorp$price))
emit("CURVE_TOO_CHEAP", vec(r$data_vanwestendorp$ecdf_toocheap))
emit("CURVE_CHEAP", vec(r$data_vanwestendorp$ecdf_cheap))
emit("CURVE_EXPENSIVE", vec(r$data_vanwestendorp$ecdf_expensive))
emit("CURVE_TOO_EXPENSIVE", vec(r$data_vanwestendorp$ecdf_tooexpensive))
emit("NMS_REACH", vec(r$data_nms$reach)); emit("NMS_REVENUE", vec(r$data_nms$revenue))
emit("OPT_REACH", num(r$price_optimal_reach)); emit("OPT_REVENUE", num(r$price_optimal_revenue))
cat("# the same without validation (inconsistent respondents kept)\n")
r2 <- suppressWarnings(psm_analysis(toocheap = "too_cheap", cheap = "cheap", expensive = "expensive",
                                    tooexpensive = "too_expensive", data = d, validate = FALSE))
emit("NOVALID_PMC", num(r2$pricerange_lower)); emit("NOVALID_PME", num(r2$pricerange_upper))
emit("NOVALID_IDP", num(r2$idp)); emit("NOVALID_OPP", num(r2$opp))
