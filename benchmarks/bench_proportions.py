"""Time proportion_ci and compare_proportions on 1,000,000 figures against statsmodels, and Fisher's test against scipy.

Prints seconds and ratios (statsmodels time / cxstats time: above 1 means
cxstats is faster). statsmodels' proportion_confint is vectorized, so it is
timed on all rows; its two-sample test has no vectorized form, so the per-row
loop a user would write is timed on a sample of rows and scaled up.

Fisher's exact test: compare_proportions(method="fisher") (p-value and the
conditional MLE odds ratio, as R's fisher.test) against a loop over
scipy.stats.fisher_exact, per table, at three ranges of bases (goal: at least
3x faster at bases 50-5,000 and no slower at any range). A call is limited to
1e7 possible tables in all, so each range is timed on as many tables as fit.

Run: python benchmarks/bench_proportions.py  (or `make bench`)
"""


import numpy as np
from scipy.stats import fisher_exact
from statsmodels.stats.proportion import proportion_confint, proportions_ztest, test_proportions_2indep
from timing import best_of, interleaved_best

import cxstats

ROWS = 1_000_000
LOOP_SAMPLE = 2_000
FISHER_RANGES = ((10, 200, 20_000), (50, 5_000, 4_000), (5_000, 100_000, 200))  # bases from, to; tables per call
FISHER_LOOP_SAMPLE = 200


def fisher():
    """Per-table time of compare_proportions(method="fisher") against a scipy.stats.fisher_exact loop."""
    rng = np.random.default_rng(1)
    for low, high, rows in FISHER_RANGES:
        n1, n2 = rng.integers(low, high, rows), rng.integers(low, high, rows)
        x1, x2 = rng.binomial(n1, 0.45), rng.binomial(n2, 0.50)
        sample = slice(0, FISHER_LOOP_SAMPLE)

        def loop(sample=sample, x1=x1, n1=n1, x2=x2, n2=n2):
            for a, b, c, d in zip(x1[sample], n1[sample], x2[sample], n2[sample], strict=True):
                fisher_exact([[a, b - a], [c, d - c]])

        ours, theirs = interleaved_best(
            [lambda x1=x1, n1=n1, x2=x2, n2=n2: cxstats.compare_proportions(x1, n1, x2, n2, method="fisher"), loop],
            repeat=3)
        ours, theirs = ours / rows, theirs / FISHER_LOOP_SAMPLE
        goal = "target >= 3" if (low, high) == (50, 5_000) else "target >= 1"
        print(f"compare_proportions(method='fisher'), bases {low:,}-{high:,}: cxstats {ours * 1e3:.3f} ms per table "
              f"({rows:,} in one call), scipy fisher_exact loop {theirs * 1e3:.3f} ms per table, "
              f"ratio {theirs / ours:.1f}x ({goal})")


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
    fisher()


if __name__ == "__main__":
    main()
