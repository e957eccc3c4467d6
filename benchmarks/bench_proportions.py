"""Time proportion_ci and compare_proportions on 1,000,000 figures against statsmodels.

Prints seconds and ratios (statsmodels time / cxstats time: above 1 means
cxstats is faster). statsmodels' proportion_confint is vectorized, so it is
timed on all rows; its two-sample test has no vectorized form, so the per-row
loop a user would write is timed on a sample of rows and scaled up.

Run: python benchmarks/bench_proportions.py  (or `make bench`)
"""


import numpy as np
from statsmodels.stats.proportion import proportion_confint, proportions_ztest, test_proportions_2indep
from timing import best_of

import cxstats

ROWS = 1_000_000
LOOP_SAMPLE = 2_000


def main():
    rng = np.random.default_rng(0)
    n1 = rng.integers(50, 5000, ROWS)
    n2 = rng.integers(50, 5000, ROWS)
    x1 = rng.binomial(n1, 0.45)
    x2 = rng.binomial(n2, 0.50)

    ours = best_of(lambda: cxstats.proportion_ci(x1, n1, method="wilson"))
    theirs = best_of(lambda: proportion_confint(x1, n1, method="wilson"))
    print(f"proportion_ci (wilson), {ROWS:,} rows: cxstats {ours:.3f}s, statsmodels vectorized {theirs:.3f}s, "
          f"ratio {theirs / ours:.2f}x (target >= 1)")

    ours = best_of(lambda: cxstats.compare_proportions(x1, n1, x2, n2, method="z"))
    idx = slice(0, LOOP_SAMPLE)

    def loop_ztest():
        for a, b, c, d in zip(x1[idx], n1[idx], x2[idx], n2[idx], strict=True):
            proportions_ztest([a, c], [b, d])

    def loop_2indep():
        for a, b, c, d in zip(x1[idx], n1[idx], x2[idx], n2[idx], strict=True):
            test_proportions_2indep(a, b, c, d, method="score")

    for name, loop in (("proportions_ztest", loop_ztest), ("test_proportions_2indep", loop_2indep)):
        per_row = best_of(loop, repeat=1) / LOOP_SAMPLE
        scaled = per_row * ROWS
        print(f"compare_proportions (z + Newcombe CI), {ROWS:,} rows: cxstats {ours:.3f}s, "
              f"statsmodels {name} per-row loop {scaled:.1f}s (scaled from {LOOP_SAMPLE:,} rows), "
              f"ratio {scaled / ours:.0f}x (target >= 100)")


if __name__ == "__main__":
    main()
