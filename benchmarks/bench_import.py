"""Time `import cxstats` against `import pandas`, each in a fresh interpreter.

Byte code is cached (in a temporary folder) as an installed package's would be,
and the first run, which compiles it, is left out. Prints the best time of each
over interleaved runs, the ratio (cxstats time / pandas time; goal: under 1.5x)
and, as information, the cxstats modules slowest to import (self time from
`python -X importtime`).

Run: python benchmarks/bench_import.py [repeat]  (or `make bench`)
"""

import os
import subprocess
import sys
import tempfile

from timing import interleaved_best

REPEAT = 15
GOAL = 1.5
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # byte code cached, as installed


def _run(code):
    subprocess.run([sys.executable, "-c", code], check=True, env=ENV)


def _slowest_modules(n=5):
    """The cxstats modules with the largest self import time, in milliseconds."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import cxstats"], check=True,
                         capture_output=True, text=True, env=ENV).stderr
    rows = []
    for line in err.splitlines():
        if line.startswith("import time:") and "|" in line:
            self_us, _, name = line.removeprefix("import time:").split("|")
            if name.strip().startswith("cxstats"):
                rows.append((int(self_us) / 1e3, name.strip()))
    return sorted(rows, reverse=True)[:n]


def main(repeat=REPEAT):
    _run("import pandas, cxstats")  # compiles the byte code once, outside the clock
    bare, pandas, ours = interleaved_best([lambda: _run("pass"), lambda: _run("import pandas"),
                                           lambda: _run("import cxstats")], repeat=repeat)
    ratio = ours / pandas
    verdict = "met" if ratio < GOAL else "NOT met"
    print(f"fresh interpreter, best of {repeat}: bare {bare * 1e3:.0f} ms, import pandas {pandas * 1e3:.0f} ms, "
          f"import cxstats {ours * 1e3:.0f} ms, ratio {ratio:.2f}x (goal < {GOAL}x: {verdict})")
    print("slowest cxstats modules (self time): "
          + ", ".join(f"{name} {ms:.1f} ms" for ms, name in _slowest_modules()))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as cache:
        ENV["PYTHONPYCACHEPREFIX"] = cache
        main(*(int(a) for a in sys.argv[1:]))
