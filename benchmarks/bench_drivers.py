"""Time exact Shapley (LMG) key driver analysis against the all-subsets regression loop a user would write.

Respondents are synthetic and seeded: k correlated driver ratings (a shared
"halo" factor plus noise) and an outcome on them, at 1e4 and 1e6 rows.

1. ``key_drivers(df, "y", drivers, n_boot=0)`` (exact Shapley over all 2^k
   subsets, from the correlation matrix) for 10, 15 and 20 drivers.
   Goal: 20 drivers in under 10 s at either size.
2. The peer: every one of the 2^k - 1 subset regressions fitted with
   statsmodels OLS (``rsquared``), then each driver's Shapley weights
   summed, at 10 and 15 drivers on 1e4 rows (2^15 fits take about a
   minute). The parts of R² of both are compared, so the race is like for
   like. Goal: cxstats at least 100x faster at 15 drivers.
   (The ``dominance-analysis`` package does the same all-subsets loop with
   scikit-learn, but it imports plotly, cufflinks and bokeh 2 at load time,
   so it is not used here.)
3. Information: the bootstrap cost per replicate (``n_boot=50``) at 9
   drivers on 1,811 respondents (the size of bayesm's customerSat) and at
   20 drivers on 1e4, to show what the default ``n_boot=1000`` costs.

Times are wall clock, best of 3 for cxstats, one run for the loop.

Run: python benchmarks/bench_drivers.py [rows ...]  (or `make bench`)
"""

import os
import sys
from itertools import combinations
from math import comb

import numpy as np
import pandas as pd
import statsmodels.api as sm
from timing import best_of

import cxstats
from cxstats.drivers import key_drivers

DRIVERS = (10, 15, 20)
LOOP_DRIVERS = (10, 15)
LOOP_ROWS = 10_000
SIZES = (10_000, 1_000_000)
GOAL_SECONDS_20 = 10.0
GOAL_RATIO_15 = 100
REPEAT = 3


def respondents(rows, k, seed=0):
    """k driver ratings sharing a halo factor, and an outcome on them (floats, seeded)."""
    rng = np.random.default_rng(seed)
    halo = rng.normal(size=(rows, 1))
    X = 0.6 * halo + rng.normal(size=(rows, k))
    y = X @ np.linspace(1.0, 0.1, k) + rng.normal(scale=2.0, size=rows)
    return pd.DataFrame(X, columns=[f"d{j}" for j in range(k)]).assign(y=y)


def all_subsets_loop(df, names):
    """The plain way: statsmodels OLS on each of the 2^k - 1 subsets, then the Shapley weights."""
    k = len(names)
    y = df["y"].to_numpy()
    X = df[names].to_numpy()
    r2 = {(): 0.0}
    for size in range(1, k + 1):
        for subset in combinations(range(k), size):
            r2[subset] = sm.OLS(y, sm.add_constant(X[:, subset])).fit().rsquared
    parts = np.zeros(k)
    for subset, value in r2.items():
        if len(subset) == 0:
            continue
        for j in subset:  # driver j's gain from subset - j to subset, weighted by the orders that give it
            parts[j] += (value - r2[tuple(i for i in subset if i != j)]) / (k * comb(k - 1, len(subset) - 1))
    return parts


def verdict(ok):
    return "met" if ok else "NOT MET"


def main(sizes=SIZES):
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cxstats {cxstats.__version__}, numpy {np.__version__}; {os.cpu_count()} CPU(s), load average {load}. "
          f"cxstats best of {REPEAT}, the statsmodels loop one run. Shared 2-core machine: expect 10-30% noise.")
    ours = {}
    for rows in sizes:
        for k in DRIVERS:
            df = respondents(rows, k)
            names = [f"d{j}" for j in range(k)]
            ours[rows, k] = best_of(lambda df=df, names=names: key_drivers(df, "y", names, n_boot=0), REPEAT)
            text = f"  {rows:>9,} rows, {k} drivers ({2**k:>9,} subsets): cxstats {ours[rows, k]:7.3f}s"
            if k == 20:
                text += f" (goal < {GOAL_SECONDS_20:g} s: {verdict(ours[rows, k] < GOAL_SECONDS_20)})"
            print(text)
    print(f"\n== all-subsets statsmodels OLS loop, {LOOP_ROWS:,} rows")
    for k in LOOP_DRIVERS:
        df = respondents(LOOP_ROWS, k)
        names = [f"d{j}" for j in range(k)]
        parts = None

        def loop(df=df, names=names):
            nonlocal parts
            parts = all_subsets_loop(df, names)

        theirs = best_of(loop, 1)
        mine = ours.get((LOOP_ROWS, k)) or best_of(lambda df=df, names=names: key_drivers(df, "y", names, n_boot=0),
                                                   REPEAT)
        diff = np.abs(key_drivers(df, "y", names, n_boot=0).table["estimate"].to_numpy() - parts).max()
        text = (f"  {k} drivers: loop {theirs:8.2f}s | cxstats {mine:.4f}s: {theirs / mine:8.0f}x faster; "
                f"largest difference in the parts of R² {diff:.1e}")
        if k == 15:
            text += f" (goal >= {GOAL_RATIO_15}x: {verdict(theirs / mine >= GOAL_RATIO_15)})"
        print(text)
    print("\n== bootstrap cost (information): n_boot=50, per replicate")
    for rows, k in ((1_811, 9), (10_000, 20)):
        df = respondents(rows, k)
        names = [f"d{j}" for j in range(k)]
        t = best_of(lambda df=df, names=names: key_drivers(df, "y", names, n_boot=50, seed=0), 1)
        print(f"  {rows:>6,} rows, {k} drivers: {t / 50 * 1000:7.1f} ms per replicate; the default n_boot=1000 "
              f"takes about {t / 50 * 1000:.1f} s")


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or SIZES)
