"""Time a weighted banner crosstab on 1e6 and 1e7 respondents against pandas and a numpy floor.

cxstats.crosstab aggregates the cells (respondents, sum of weights, sum of
squared weights, with numpy.add.at over cache-sized chunks) and then computes column percentages, significance letters
and the Rao-Scott test from those aggregates. It is compared with
pandas.crosstab(values=w, aggfunc="sum"), which gives only the weighted
counts, and with the floor of one weighted numpy.bincount over precomputed
cell codes (the least work any weighted crosstab does). Each time is the best
of 5 runs. The DuckDB path is timed on the same rows written to Parquet.

Run: python benchmarks/bench_crosstab.py  (or `make bench`)
"""

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from timing import best_of

import cxstats
from cxstats.crosstab import _cells_from_frame


def frame(rows, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "satisfaction": pd.Categorical.from_codes(rng.integers(0, 5, rows), ["1", "2", "3", "4", "5"]),
        "region": pd.Categorical.from_codes(rng.integers(0, 6, rows), ["N", "S", "E", "W", "C", "X"]),
        "w": rng.gamma(4.0, 0.25, rows),
    })


def main(sizes=(1_000_000, 10_000_000)):
    for rows in sizes:
        df = frame(rows)
        ours = best_of(lambda df=df: cxstats.crosstab(df, "satisfaction", "region", weight="w"), 5)
        theirs = best_of(lambda df=df: pd.crosstab(df.satisfaction, df.region, values=df.w, aggfunc="sum"), 5)
        codes = df.satisfaction.cat.codes.to_numpy().astype(np.int64) * 6 + df.region.cat.codes.to_numpy()
        weights = df.w.to_numpy()
        floor = best_of(lambda codes=codes, weights=weights: np.bincount(codes, weights=weights, minlength=30), 5)
        cells = best_of(lambda df=df: _cells_from_frame(df, "satisfaction", "region", "w"), 5)
        print(f"{rows:>12,} rows, weighted: cxstats {ours:.3f}s | pandas.crosstab {theirs:.3f}s "
              f"(cxstats {theirs / ours:.1f}x faster, target > 1) | bincount floor {floor:.3f}s "
              f"(cxstats {ours / floor:.1f}x the floor, target <= 3; its aggregation alone {cells:.3f}s, "
              f"{cells / floor:.1f}x; the rest is a fixed {1000 * (ours - cells):.0f} ms for letters, tests and table)")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "survey.parquet"
            df.to_parquet(path)
            on_disk = best_of(lambda path=path: cxstats.crosstab(path, "satisfaction", "region", weight="w"), 2)
            print(f"{rows:>12,} rows, weighted, Parquet via DuckDB: {on_disk:.3f}s")


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (1_000_000, 10_000_000))
