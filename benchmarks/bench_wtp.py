"""Time and peak memory of Van Westendorp, with and without the Newton-Miller-Smith (NMS) extension.

Each case runs in a fresh Python process, so its peak resident memory
(``ru_maxrss``) is its own: the interpreter, numpy and pandas, the
respondents' DataFrame and the analysis. Prices are drawn like answers to a
price question: rounded to whole units (about 150 distinct prices at 1e6
respondents), or not rounded at all (as a slider or a free-entry field gives:
every answer its own price, 1.2 million distinct prices at 300,000
respondents). Targets (issue 18): NMS at 1e6 respondents under 1 s and under
0.6 GB; the unrounded case must run (it needed a 335 GiB table before).

Run: python benchmarks/bench_wtp.py [cases...]  (or `make bench`); a case is
``<respondents>:<rounded|distinct>:<nms|plain>``.
"""

import json
import subprocess
import sys

CASES = ("1000000:rounded:plain", "1000000:rounded:nms", "300000:distinct:plain", "300000:distinct:nms")
GOAL_SECONDS = 1.0  # NMS at 1e6 respondents (issue 18)
GOAL_GB = 0.6


def verdict(ok):
    return "met" if ok else "NOT MET"


def _one(case: str) -> dict:
    """Run one case here (in the child process) and report its best time and this process's peak memory."""
    import resource

    import numpy as np
    import pandas as pd
    from timing import best_of

    import cxstats

    n, kind, nms = case.split(":")
    n = int(n)
    rng = np.random.default_rng(0)
    cheap = rng.lognormal(np.log(12), 0.35, n)
    prices = np.column_stack([cheap * rng.uniform(0.4, 0.8, n), cheap, cheap * rng.uniform(1.2, 1.8, n),
                              cheap * rng.uniform(2.0, 3.0, n)])
    if kind == "rounded":
        prices = prices.round()
    df = pd.DataFrame(prices, columns=["tc", "c", "e", "te"])
    df["pc"] = rng.integers(1, 6, n)
    df["pe"] = rng.integers(1, 6, n)
    intents = {"pi_cheap": "pc", "pi_expensive": "pe"} if nms == "nms" else {}
    res = None

    def run():
        nonlocal res
        res = cxstats.van_westendorp(df, "tc", "c", "e", "te", **intents)

    seconds = best_of(run, 3 if n <= 1_000_000 else 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    return {"case": case, "seconds": seconds, "peak_gb": peak / 1e9, "prices": len(res.curves),
            "valid": res.n_valid}


def main(cases=CASES):
    for case in cases:
        out = subprocess.run([sys.executable, __file__, "--child", case], capture_output=True, text=True)
        n, kind, nms = case.split(":")
        if out.returncode:
            lines = out.stderr.strip().splitlines() or ["no message"]
            goal = " (goal: runs: NOT MET)" if kind == "distinct" else ""
            print(f"{case:<24} failed: {lines[-1]}{goal}")
            continue
        r = json.loads(out.stdout)
        label = "with NMS" if nms == "nms" else "without NMS"
        text = (f"van_westendorp {label:<11} {int(n):>9,} respondents, {kind} prices ({r['prices']:,} on the grid): "
                f"{r['seconds']:.2f} s, peak {r['peak_gb']:.2f} GB")
        if nms == "nms" and kind == "rounded" and int(n) == 1_000_000:
            ok = r["seconds"] < GOAL_SECONDS and r["peak_gb"] < GOAL_GB
            text += f" (goal < {GOAL_SECONDS:g} s and < {GOAL_GB:g} GB: {verdict(ok)})"
        elif kind == "distinct":
            text += " (goal: runs: met)"
        print(text)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(_one(sys.argv[2])))
    else:
        main(tuple(sys.argv[1:]) or CASES)
