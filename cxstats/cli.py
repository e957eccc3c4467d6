"""The ``cxstats`` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import os
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


# What `cxstats report` imports to run and export the notebooks, and the kernel it starts: the report extra.
REPORT_MODULES = ("psutil", "papermill", "nbconvert", "nbclient", "nbformat")
REPORT_KERNEL = "ipykernel"  # runs in each notebook's kernel process: found here, not imported

PARAMETER_HELP = ("values are read as YAML/JSON: a number, text, true/false or null, or a list; a list parameter "
                  "also takes comma-separated values: -p conf_level=0.9, -p ratings=q1,q2 or -p 'ratings=[q1, q2]'")


def missing_report_modules() -> list[str]:
    """The modules of the report extra that cannot be imported (the kernel: found) here."""
    import importlib
    import importlib.util

    missing = []
    for name in REPORT_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # ModuleNotFoundError, a module set to None in sys.modules, a broken install
            missing.append(name)
    try:
        if importlib.util.find_spec(REPORT_KERNEL) is None:
            missing.append(REPORT_KERNEL)
    except (ImportError, ValueError):
        missing.append(REPORT_KERNEL)
    return missing


def parse_parameters(items) -> dict:
    """``-p NAME=VALUE`` options as a dict of the texts typed, each checked to be YAML/JSON (yaml.safe_load).

    Each value is read again for each notebook as that notebook's parameter says (a list parameter splits a text at
    commas; a text parameter keeps a number as typed): see ``cxstats._parameters.coerce``.
    """
    from ._parameters import ParameterText, coerce

    parameters = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"-p/--parameter takes NAME=VALUE, got {item!r}")
        if key in parameters:
            raise ValueError(f"-p/--parameter {key} is given twice; give each parameter once")
        try:
            coerce(key, ParameterText(value), None)
        except ValueError as err:
            raise ValueError(f"{err}; {PARAMETER_HELP}") from None
        parameters[key] = ParameterText(value)
    return parameters


def cmd_report(args) -> int:
    missing = missing_report_modules()
    if missing:
        print(f"cxstats report needs the report extra: pip install 'cxstats[report]' (missing: {', '.join(missing)})",
              file=sys.stderr)
        return 2

    from .report import build_reports, check_seconds

    if not args.out.strip():
        raise ValueError("--out must name an output folder, e.g. --out reports; got an empty name")
    parameters = parse_parameters(args.parameter)
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
                        help="set a parameter of the notebooks that have it (repeatable; a name no notebook has "
                             "is an error); VALUE is YAML/JSON, and a list parameter also takes comma-separated "
                             "values, e.g. -p conf_level=0.9 -p ratings=q1,q2 -p path=my_survey.csv")
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
    except BrokenPipeError:
        # the reader went away (`cxstats datasets | head`): stop quietly, as other command-line tools do.
        # Python flushes stdout again at exit; point it at devnull so that flush cannot fail too.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # stdout is not a real file (e.g. replaced in a test)
            pass
        return 141  # 128 + SIGPIPE, what a shell reports for a command stopped by a closed pipe


if __name__ == "__main__":
    sys.exit(main())
