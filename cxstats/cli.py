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
    from .report import build_index

    print(f"wrote {build_index(args.out)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cxstats", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("datasets", help="list the bundled surveys").set_defaults(func=cmd_datasets)
    show = sub.add_parser("show", help="show one survey's provenance and figures")
    show.add_argument("name", help="survey id, as listed by `cxstats datasets`")
    show.set_defaults(func=cmd_show)
    sub.add_parser("build-data", help="rebuild data/processed from data/raw").set_defaults(
        func=cmd_build_data)
    report = sub.add_parser("report", help="build the HTML reports")
    report.add_argument("--out", default="reports", help="output folder (default: reports)")
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
