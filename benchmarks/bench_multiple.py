"""Time adjust_pvalues on 1,000,000 p-values against statsmodels' multipletests, method by method.

Prints seconds and ratios (statsmodels time / cxstats time: above 1 means
cxstats is faster; goal: at least 1 for every method). Both return the
adjusted p-values and the decisions at alpha; the numbers are checked equal.

Run: python benchmarks/bench_multiple.py [rows]  (or `make bench`)
"""

import sys

import numpy as np
from statsmodels.stats.multitest import multipletests
from timing import interleaved_best

import cxstats

ROWS = 1_000_000
METHODS = (("holm", "holm"), ("hochberg", "simes-hochberg"), ("bonferroni", "bonferroni"), ("bh", "fdr_bh"),
           ("by", "fdr_by"))


def main(rows=ROWS):
    rng = np.random.default_rng(0)
    p = rng.uniform(size=rows) ** 3  # many small p-values, as in a family with some effects
    p[: rows // 10] = np.round(p[: rows // 10], 3)  # and ties
    for ours_name, theirs_name in METHODS:
        mine = cxstats.adjust_pvalues(p, method=ours_name)["p_adjusted"].to_numpy()
        if not np.allclose(mine, multipletests(p, method=theirs_name)[1], rtol=1e-12, atol=0):
            raise SystemExit(f"{ours_name}: cxstats and statsmodels disagree")
        ours, theirs = interleaved_best([lambda m=ours_name: cxstats.adjust_pvalues(p, method=m),
                                         lambda m=theirs_name: multipletests(p, method=m)], repeat=7)
        print(f"adjust_pvalues(method={ours_name!r}), {rows:,} p-values: cxstats {ours * 1e3:.1f} ms, statsmodels "
              f"multipletests({theirs_name!r}) {theirs * 1e3:.1f} ms, ratio {theirs / ours:.2f}x (target >= 1)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
