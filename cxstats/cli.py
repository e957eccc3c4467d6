"""The ``cxstats`` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import sys


def _print_table(df) -> None:
    import pandas as pd

    with pd.option_context("display.max_rows", None, "display.max_columns", None,
                           "display.width", 200, "display.max_colwidth", 60):
        print(df.to_string(index=False))


def cmd_datasets(args) -> int:
    from .datasets import list_datasets

    _print_table(list_datasets())
    return 0


def cmd_show(args) -> int:
    from .datasets import load, survey_info

    info = survey_info(args.name)
    for key in ("title", "publisher", "year", "fieldwork", "population", "country",
                "method", "n", "n_note", "source", "quoted_in"):
        if info.get(key) is not None:
            print(f"{key:>11}: {info[key]}")
    for caveat in info.get("caveats") or []:
        print(f"     caveat: {caveat}")
    print()
    cols = ["figure", "group", "kind", "value", "n", "count_low", "count_high", "statement"]
    _print_table(load(args.name)[cols])
    return 0


def cmd_build_data(args) -> int:
    from .datasets import build_processed

    print(f"wrote {build_processed()}")
    return 0


def cmd_report(args) -> int:
    import yaml

    from .report import build_reports, check_seconds

    parameters = {}
    for item in args.parameter or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"-p/--parameter takes NAME=VALUE, got {item!r}")
        parameters[key] = yaml.safe_load(value)
    if args.jobs is not None and args.jobs < 1:
        raise ValueError(f"--jobs must be a positive whole number of notebooks run at once; got {args.jobs}")
    cell_timeout = check_seconds(args.cell_timeout, "--cell-timeout")
    notebook_timeout = check_seconds(args.timeout, "--timeout")
    try:
        results = build_reports(args.notebooks or None, out_dir=args.out, no_input=args.no_input, jobs=args.jobs,
                                parameters=parameters, cell_timeout=cell_timeout, notebook_timeout=notebook_timeout)
    except KeyboardInterrupt:
        print(f"cxstats: interrupted; {args.out}/index.html lists only the reports finished", file=sys.stderr)
        return 130
    failed = [r for r in results if r.status != "ok"]
    for r in results:
        print(f"{r.status:>6}  {r.seconds:6.1f} s  {r.html}" + (f"  ({r.error})" if r.error else ""))
    print(f"wrote {args.out}/index.html: {len(results) - len(failed)} of {len(results)} reports built")
    if failed:
        names = ", ".join(r.name for r in failed)
        print(f"cxstats: error: {len(failed)} of {len(results)} notebooks failed: {names}", file=sys.stderr)
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cxstats", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("datasets", help="list the bundled surveys").set_defaults(func=cmd_datasets)
    show = sub.add_parser("show", help="show one survey's provenance and figures")
    show.add_argument("name", help="survey id, as listed by `cxstats datasets`")
    show.set_defaults(func=cmd_show)
    sub.add_parser("build-data", help="rebuild data/processed from data/raw").set_defaults(
        func=cmd_build_data)
    report = sub.add_parser("report", help="run notebooks and export HTML reports with an index")
    report.add_argument("notebooks", nargs="*", help="notebooks to run (default: every notebooks/NN_*.ipynb)")
    report.add_argument("--out", default="reports", help="output folder (default: reports)")
    report.add_argument("--no-input", action="store_true", help="hide code cells: prose, tables and figures only")
    report.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: number of CPUs)")
    report.add_argument("-p", "--parameter", action="append", metavar="NAME=VALUE",
                        help="inject a parameter into every notebook (repeatable), e.g. -p conf_level=0.9")
    report.add_argument("--cell-timeout", type=float, default=600.0, metavar="SECONDS",
                        help="stop a cell running longer than this and report its notebook failed (default: 600)")
    report.add_argument("--timeout", type=float, default=1800.0, metavar="SECONDS",
                        help="kill a notebook taking longer than this in all and report it failed (default: 1800)")
    report.set_defaults(func=cmd_report)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ValueError as err:  # DataError included: a readable message, not a traceback
        print(f"cxstats: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
