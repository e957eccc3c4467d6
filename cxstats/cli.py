"""The cxstats command: list and show the bundled surveys, rebuild the processed data, and build the reports."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap

DEFAULT_WIDTH = 100  # characters per line when the terminal's width is not known


def _print_table(df, width=None) -> None:
    """Print a table in at most ``width`` characters per line (default: the terminal's): text left-aligned,
    numbers right-aligned as the reports show them, the last column cut short with an ellipsis to fit."""
    import pandas as pd

    from .display import format_value

    width = width or shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    columns = []
    for name in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[name]) and not pd.api.types.is_bool_dtype(df[name])
        kind = "count" if numeric and name not in ("year",) else "text"
        texts = [format_value(v, kind) for v in df[name]]
        columns.append((str(name), texts, numeric))
    widths = [max([len(n)] + [len(t) for t in texts]) for n, texts, _ in columns]
    room = width - sum(widths[:-1]) - 2 * (len(widths) - 1)
    widths[-1] = max(min(widths[-1], room), len(columns[-1][0]))

    def cut(text, w):
        return text if len(text) <= w else text[: w - 1] + "\u2026"

    def line(cells):
        parts = [cut(t, w).rjust(w) if numeric else cut(t, w).ljust(w)
                 for t, w, (_, _, numeric) in zip(cells, widths, columns, strict=True)]
        return "  ".join(parts).rstrip()

    print(line([n for n, _, _ in columns]))
    for i in range(len(df)):
        print(line([texts[i] for _, texts, _ in columns]))


def _wrapped(text) -> str:
    """A ``key: value`` line wrapped to the terminal, continued under the value."""
    width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return textwrap.fill(text, width=width, subsequent_indent=" " * 13, break_on_hyphens=False)


def cmd_datasets(args) -> int:
    from .datasets import list_datasets

    table = list_datasets()
    _print_table(table[["name", "kind", "year", "n", "n_figures", "title"]].rename(
        columns={"n": "base", "n_figures": "figures"}))
    print("\nbase: respondents (or firms) behind the figures, \u2014 when not published. "
          "Details: cxstats show NAME")
    return 0


def cmd_show(args) -> int:
    from .datasets import load, survey_info

    info = survey_info(args.name)
    for key in ("title", "publisher", "year", "fieldwork", "population", "country",
                "method", "n", "n_note", "source", "quoted_in"):
        if info.get(key) is not None:
            print(_wrapped(f"{key:>11}: {info[key]}"))
    for caveat in info.get("caveats") or []:
        print(_wrapped(f"     caveat: {caveat}"))
    print()
    cols = ["figure", "group", "kind", "value", "n", "count_low", "count_high", "statement"]
    figures = load(args.name)[cols]
    figures["value"] = figures["value"].map(lambda v: f"{v:g}")  # as printed in the report
    _print_table(figures)
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


def list_parameters(notebooks) -> int:
    """Print each notebook's parameters (name = default, and the comment on its line)."""
    from pathlib import Path

    from ._parameters import UNKNOWN, notebook_parameters
    from .report import discover_notebooks

    paths = [Path(nb) for nb in notebooks] or discover_notebooks()
    if not paths:
        raise ValueError("no notebooks given and none found in notebooks/: give a notebook, e.g. "
                         "cxstats report --list-parameters notebooks/06_analyze_your_own_survey.ipynb")
    for path in paths:
        if not path.is_file():
            raise ValueError(f"no notebook at {path}: give the path of a .ipynb file")
    for i, path in enumerate(paths):
        declared = notebook_parameters(path)
        print(("\n" if i else "") + f"{path.name}: " + ("no parameters" if not declared else
                                                         f"{len(declared)} parameter(s), set with -p NAME=VALUE"))
        for name, (default, comment) in declared.items():
            print(f"  {name} = {'(computed in the notebook)' if default is UNKNOWN else repr(default)}")
            if comment:
                print(textwrap.fill(comment, width=DEFAULT_WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 6))
    return 0


def cmd_report(args) -> int:
    missing = missing_report_modules()
    if missing:
        print(f"cxstats report needs the report extra: pip install 'cxstats[report]' (missing: {', '.join(missing)})",
              file=sys.stderr)
        return 2

    from .report import build_reports, check_seconds

    if args.list_parameters:
        return list_parameters(args.notebooks)
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


def _subcommand(sub, name, summary, example, description=None):
    """A subcommand whose help says what it does and gives one example."""
    return sub.add_parser(name, help=summary, description=description or summary[0].upper() + summary[1:] + ".",
                          epilog=f"example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(prog="cxstats", description=__doc__, epilog="example:\n  cxstats datasets",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"cxstats {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _subcommand(sub, "datasets", "list the bundled surveys and respondent datasets",
                "cxstats datasets").set_defaults(func=cmd_datasets)
    show = _subcommand(sub, "show", "show one survey's provenance and figures", "cxstats show calabrio_2022")
    show.add_argument("name", help="survey name, as listed by cxstats datasets")
    show.set_defaults(func=cmd_show)
    _subcommand(sub, "build-data", "rebuild data/processed from data/raw",
                "cxstats build-data").set_defaults(func=cmd_build_data)
    report = _subcommand(
        sub, "report", "run notebooks and export HTML reports with an index",
        "cxstats report --out reports --no-input notebooks/01_accenture_human_touch.ipynb -p conf_level=0.9",
        description="Run notebooks in fresh kernels and export each as one self-contained HTML page, with an "
                    "index.html listing them.")
    report.add_argument("notebooks", nargs="*", help="notebooks to run (default: every notebooks/NN_*.ipynb)")
    report.add_argument("--out", default="reports", help="output folder (default: reports)")
    report.add_argument("--no-input", action="store_true", help="hide code cells: prose, tables and figures only")
    report.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: number of CPUs)")
    report.add_argument("-p", "--parameter", action="append", metavar="NAME=VALUE",
                        help="set a parameter of the notebooks that have it (repeatable; a name no notebook has "
                             "is an error); VALUE is YAML/JSON, and a list parameter also takes comma-separated "
                             "values, e.g. -p conf_level=0.9 -p ratings=q1,q2 -p path=my_survey.csv")
    report.add_argument("--list-parameters", action="store_true",
                        help="list each notebook's parameters with their defaults, and run nothing")
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
