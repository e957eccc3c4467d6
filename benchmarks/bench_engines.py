"""NPS and a weighted crosstab by month x channel where the data lives: cxstats on DuckDB and Spark against peers.

A transactional feedback table (cxstats.simulate_feedback: Parquet, one folder
per month) of 1e6, 1e7 and 1e8 rows is written to disk once (reused by later
runs) and each contender computes, from the files, the NPS with its standard
error per month and channel and the weighted month x channel crosstab
(column shares with their standard errors):

- cxstats + DuckDB: survey_design(folder, weight=...), nps(..., by=[month,
  channel]), crosstab(design, "month", "channel"); every check, the
  inference, the letters and the Rao-Scott test included (the design's
  checks are one query; the NPS is one query grouped by month, channel and
  answer, which the design keeps, so the crosstab's cells are summed from
  it without reading the files again);
- a DuckDB query written by hand: one GROUP BY month, channel and the
  0-10 answer with the rows, the sum of the weights and of their squares
  (all that both results need: an answer's score is constant within its
  group), finished in pandas; the floor for this engine, as lean as the
  query cxstats itself sends (also grouped by the answer), on a DuckDB
  connection opened once per process before the clock (cxstats keeps one
  too), so the ratio measures cxstats' overhead, not a slower reference;
- pandas: read the four columns with read_parquet, then groupby the same sums
  (where it fits: left out when its peak memory per row, measured at the
  smaller sizes, would take over half of the memory available);
- cxstats + Spark in local mode (local[2]) on the same files, through
  ibis.pyspark.connect (needs Java; Spark's start-up is printed apart).

Each contender runs in a fresh Python process; its time is the best of two
runs (one at 1e8) after imports, and its peak memory the process's maximum
resident set (os.wait4; for Spark the larger of Python and its JVM).
cxstats + DuckDB and the hand-written query, whose ratio is a goal, run in
alternating processes, ROUNDS times each (3 at 1e8), so that a shared
machine's load falls on both alike; the verdict is the median of the
rounds' ratios, printed with their range. The estimates of every contender are checked equal
to cxstats's (1e-9 relative). Goals: cxstats + DuckDB within 1.5x the
hand-written query at 1e7 and 1e8; 1e8 rows in under 2 GB peak memory;
faster than pandas at 1e7, reading included.

Run: python benchmarks/bench_engines.py [--max-rows 1e7] [--folder /tmp/...] [--no-spark]
(the 1e8 table takes about 1.6 GB of disk and a few minutes to write).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (10**6, 10**7, 10**8)
ROUNDS = 5  # alternating rounds of cxstats + DuckDB and the hand-written query (3 at 1e8)
DUCKDB_GOAL = 1.5  # cxstats + DuckDB / hand-written DuckDB query, at 1e7 and 1e8
MEMORY_GOAL_MB = 2048  # peak memory of cxstats + DuckDB at 1e8
CONTENDERS = ("cxstats_duckdb", "duckdb_sql", "pandas", "cxstats_spark")
LABELS = {"cxstats_duckdb": "cxstats + DuckDB (Parquet)", "duckdb_sql": "DuckDB SQL by hand",
          "pandas": "pandas read + groupby", "cxstats_spark": "cxstats + Spark local[2]"}


# ------------------------------------------------------------------ the contenders (each in its own process)

def _cells_from_sums(sums):
    """NPS and crosstab estimates and standard errors from per-cell sums, rows as PSUs in one stratum.

    ``sums``: one row per month and channel with n, sw, sw2 (all rows) and, over the rows that answered, sw_y,
    sw2_y, sws, sws2, sw2s, sw2s2 (s = +100 / 0 / -100). Linearization, as R's survey for a domain: the
    influence values of a cell sum to 0, so the variance is N / (N - 1) times the sum of their squares.
    """
    import numpy as np

    N = sums["n"].sum()
    r = sums["sws"] / sums["sw_y"]
    ss = sums["sw2s2"] - 2 * r * sums["sw2s"] + r**2 * sums["sw2_y"]
    nps = sums.assign(estimate=r, se=np.sqrt(N / (N - 1) * ss) / sums["sw_y"])
    column = sums.groupby("channel")[["sw", "sw2"]].transform("sum")
    p = sums["sw"] / column["sw"]
    squares = sums["sw2"] * (1 - p) ** 2 + (column["sw2"] - sums["sw2"]) * p**2
    share = sums.assign(estimate=p, se=np.sqrt(N / (N - 1) * squares) / column["sw"])
    keys = ["month", "channel"]
    return (nps.sort_values(keys)[[*keys, "estimate", "se"]].reset_index(drop=True),
            share.sort_values(keys)[[*keys, "estimate", "se"]].reset_index(drop=True))


def _cxstats(source):
    import cxstats

    design = cxstats.survey_design(source, weight="weight")
    nps = cxstats.nps(design, "nps", by=["month", "channel"])
    table = cxstats.crosstab(design, "month", "channel").table
    keys = ["month", "channel"]
    return (nps.sort_values(keys)[[*keys, "estimate", "se"]].reset_index(drop=True),
            table.sort_values(keys)[[*keys, "estimate", "se"]].reset_index(drop=True))


SQL = """
SELECT month, channel, nps, count(*) AS n, sum(weight) AS sw, sum(weight * weight) AS sw2
FROM read_parquet('{glob}', hive_partitioning = true)
GROUP BY month, channel, nps
"""


def _duckdb_sql(con, path):
    """The hand-written query's groups (month, channel, answer) summed to the cells' sums in pandas.

    The score s of an answer is the same for each of its rows, so sum w s = s sw, sum w^2 s^2 = s^2 sw2, ...
    ``con``: a DuckDB connection opened once per process (as cxstats opens its own).
    """
    import numpy as np

    groups = con.sql(SQL.format(glob=f"{path}/**/*.parquet")).df()
    y = groups["nps"].to_numpy(dtype=float, na_value=np.nan)
    s = np.where(y >= 9, 100.0, np.where(y >= 7, 0.0, np.where(y >= 0, -100.0, np.nan)))
    answered = ~np.isnan(s)
    s = np.where(answered, s, 0.0)
    sw, sw2 = groups["sw"].to_numpy(), groups["sw2"].to_numpy()
    parts = groups[["month", "channel"]].assign(
        n=groups["n"].to_numpy(), sw=sw, sw2=sw2, sw_y=np.where(answered, sw, 0.0),
        sw2_y=np.where(answered, sw2, 0.0), sws=sw * s, sws2=sw * s * s, sw2s=sw2 * s, sw2s2=sw2 * s * s)
    return _cells_from_sums(parts.groupby(["month", "channel"]).sum().reset_index())


def _pandas(path):
    import numpy as np
    import pandas as pd

    df = pd.read_parquet(path, columns=["month", "channel", "nps", "weight"])
    w = df["weight"].to_numpy()
    y = df["nps"].to_numpy(dtype=float, na_value=np.nan)
    s = np.where(y >= 9, 100.0, np.where(y >= 7, 0.0, -100.0))
    answered = ~np.isnan(y)
    wa = np.where(answered, w, 0.0)
    ws = np.where(answered, w * s, 0.0)
    parts = pd.DataFrame({"month": df["month"], "channel": df["channel"], "n": 1, "sw": w, "sw2": w * w,
                          "sw_y": wa, "sw2_y": wa * w, "sws": ws, "sws2": ws * s, "sw2s": ws * w,
                          "sw2s2": ws * w * s})
    sums = parts.groupby(["month", "channel"], observed=True).sum().reset_index()
    sums[["month", "channel"]] = sums[["month", "channel"]].astype(str)
    return _cells_from_sums(sums)


def _spark_connection(folder):
    import ibis
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("bench_engines")
               .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
               .config("spark.local.dir", str(folder / "local"))
               .config("spark.driver.extraJavaOptions", f"-Djava.io.tmpdir={folder}")
               .config("spark.driver.memory", "4g")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


def child(contender, path, repeat):
    """Run one contender ``repeat`` times in this process; print its best time and results as JSON."""
    import ibis  # imports before the clock, for every contender alike
    import pandas  # noqa: F401

    import cxstats  # noqa: F401

    extra = {}
    if contender == "cxstats_duckdb":
        ibis.duckdb.connect()  # loads Ibis's DuckDB backend
        task = lambda: _cxstats(path)  # noqa: E731
    elif contender == "duckdb_sql":
        import duckdb

        con = duckdb.connect()
        task = lambda: _duckdb_sql(con, path)  # noqa: E731
    elif contender == "pandas":
        task = lambda: _pandas(path)  # noqa: E731
    else:
        start = time.perf_counter()
        con = _spark_connection(Path(tempfile.mkdtemp(prefix="bench_spark_")))
        extra["startup"] = time.perf_counter() - start
        task = lambda: _cxstats(con.read_parquet(str(path)))  # noqa: E731
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        nps, share = task()
        best = min(best, time.perf_counter() - start)
    print(json.dumps({"seconds": best, "nps": nps.to_dict("list"), "share": share.to_dict("list"), **extra}))
    if contender == "cxstats_spark":  # stop the JVM and wait for it, so that its memory is counted
        from pyspark import SparkContext

        jvm = SparkContext._gateway.proc
        con._session.stop()
        jvm.stdin.close()  # PySpark's JVM ends when its standard input closes
        jvm.wait(timeout=120)


# ------------------------------------------------------------------ the driver

def measure(contender, path, repeat) -> dict:
    """Run a contender in a fresh process: its JSON output and its peak resident memory (MB), from os.wait4.

    For Spark the figure is the larger of the Python process and the JVM it started (the child waits for the JVM,
    so the kernel counts it), not their sum.
    """
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen([sys.executable, __file__, "--child", contender, str(path), str(repeat)],
                                stdout=subprocess.PIPE, stderr=log, text=True)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        proc.stdout.close()
        if proc.returncode:
            log.seek(0)
            lines = log.read().strip().splitlines()
            return {"error": lines[-1] if lines else f"exit code {proc.returncode}"}
    found = json.loads(out.strip().splitlines()[-1])
    found["peak_mb"] = usage.ru_maxrss / 1024  # kB on Linux
    return found


def available_mb() -> float:
    """Memory available now (MemAvailable of /proc/meminfo), in MB; 4 GB where it cannot be read."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 4096.0


def agree(a: dict, b: dict) -> float:
    """Largest relative difference between two contenders' estimates and standard errors."""
    import numpy as np

    worst = 0.0
    for part in ("nps", "share"):
        for key in ("estimate", "se"):
            x, y = np.asarray(a[part][key], float), np.asarray(b[part][key], float)
            worst = max(worst, float(np.max(np.abs(x - y) / np.maximum(np.abs(y), 1e-300))))
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-rows", type=float, default=1e8, help="largest table (default 1e8)")
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "cxstats_bench_engines",
                        help="where the tables are written and kept for later runs")
    parser.add_argument("--no-spark", action="store_true", help="leave Spark out")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child[0], Path(args.child[1]), int(args.child[2]))
    import numpy as np

    import cxstats

    spark = not args.no_spark and shutil.which("java") is not None
    if not args.no_spark and not spark:
        print("note: no Java runtime, so no Spark (install Debian's default-jre-headless)")
    sizes = [n for n in SIZES if n <= args.max_rows]
    pandas_bytes = 100.0  # peak memory per row of pandas read + groupby; updated from each size measured
    print(f"{'rows':>11}  {'contender':<28} {'seconds':>8} {'x SQL':>6} {'peak MB':>8}  agrees with cxstats")
    verdicts = []
    for n in sizes:
        path = args.folder / f"feedback_{n}"
        if not path.exists():
            start = time.perf_counter()
            partial = path.with_name(path.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            cxstats.simulate_feedback(partial, rows=n, seed=0)
            partial.rename(path)
            size = sum(f.stat().st_size for f in path.rglob("*.parquet")) / 2**20
            print(f"{n:>11,}  (table written in {time.perf_counter() - start:.0f} s: {size:,.0f} MB of Parquet)")
        repeat = 2 if n < 10**8 else 1
        found = {}
        for contender in CONTENDERS:
            if contender == "cxstats_spark" and not spark:
                continue
            if contender == "pandas":
                need = n * pandas_bytes
                if need > available_mb() * 2**20 / 2:
                    print(f"{n:>11,}  {LABELS[contender]:<28} left out: it would need about {need / 2**30:.0f} GB "
                          f"({pandas_bytes:.0f} bytes a row), over half the memory available")
                    continue
            found[contender] = measure(contender, path, repeat)
        pair = ("cxstats_duckdb", "duckdb_sql")  # alternating rounds: a busy moment falls on both alike
        rounds = {c: [found[c]] for c in pair}
        for _ in range((ROUNDS if n < 10**8 else 3) - 1):
            for contender in pair:
                rounds[contender].append(measure(contender, path, repeat))
        ratios = [a["seconds"] / b["seconds"] for a, b in zip(*rounds.values(), strict=True)
                  if "seconds" in a and "seconds" in b]
        for contender, runs in rounds.items():
            failed = [run for run in runs if "error" in run]
            found[contender] = failed[0] if failed else {
                **runs[0], "seconds": float(np.median([run["seconds"] for run in runs])),
                "peak_mb": max(run["peak_mb"] for run in runs)}
        if "seconds" in found.get("pandas", {}):
            pandas_bytes = found["pandas"]["peak_mb"] * 2**20 / n  # the largest size yet: the least fixed overhead
        floor = found["duckdb_sql"].get("seconds", float("nan"))
        for contender, got in found.items():
            if "error" in got:
                print(f"{n:>11,}  {LABELS[contender]:<28} failed: {got['error']}")
                continue
            same = agree(got, found["cxstats_duckdb"]) if "seconds" in found["cxstats_duckdb"] else float("nan")
            extra = f"; Spark start-up {got['startup']:.1f} s apart" if "startup" in got else ""
            print(f"{n:>11,}  {LABELS[contender]:<28} {got['seconds']:8.2f} {got['seconds'] / floor:6.2f} "
                  f"{got['peak_mb']:8.0f}  {'yes' if same < 1e-9 else 'NO'} ({same:.1e}){extra}")
        ours = found["cxstats_duckdb"]
        if ratios:
            ratio = float(np.median(ratios))
            print(f"{n:>11,}  cxstats / hand-written query, {len(ratios)} alternating rounds: median {ratio:.2f}x "
                  f"(range {min(ratios):.2f}-{max(ratios):.2f}x; seconds above: medians of the rounds' bests)")
            if n >= 10**7:
                verdicts.append(f"{n:.0e} rows: cxstats + DuckDB {ratio:.2f}x the hand-written query, median of "
                                f"{len(ratios)} rounds (goal <= {DUCKDB_GOAL}x): "
                                f"{'met' if ratio <= DUCKDB_GOAL else 'NOT met'}")
        if n == 10**7 and "pandas" in found and "seconds" in found["pandas"]:
            speed = found["pandas"]["seconds"] / ours["seconds"]
            verdicts.append(f"1e+07 rows: cxstats + DuckDB {speed:.1f}x faster than pandas read + groupby "
                            f"(goal > 1x): {'met' if speed > 1 else 'NOT met'}")
        if n == 10**8:
            verdicts.append(f"1e+08 rows: cxstats + DuckDB peak memory {ours['peak_mb']:,.0f} MB (goal < "
                            f"{MEMORY_GOAL_MB:,} MB): {'met' if ours['peak_mb'] < MEMORY_GOAL_MB else 'NOT met'}")
    print("\n".join(["", "Goals:"] + (verdicts or ["(the goals are judged at 1e7 and 1e8 rows)"])))


if __name__ == "__main__":
    main()
