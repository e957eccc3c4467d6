"""Run the notebooks and export them as standalone HTML reports, with an index page.

Each notebook runs in a fresh kernel with papermill (parameters injected into
its ``parameters`` cell), is saved executed under ``<out>/notebooks/``, and is
exported by nbconvert to ``<out>/<name>.html`` with its images embedded and no
script fetched from the network, so the single file can be mailed. A failing
notebook does not stop the others: its page shows the failing cell and the
error, and the index marks it failed.
"""

from __future__ import annotations

import hashlib
import html
import multiprocessing
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from . import __version__
from .datasets import data_dir

TEMPLATES = Path(__file__).parent / "templates"
KEY_MIMETYPE = "application/vnd.cxstats.key+json"


@dataclass(frozen=True)
class ReportResult:
    """How one notebook fared: ``name``, ``title``, ``summary``, ``status`` ("ok" or "failed"),
    ``seconds``, ``html`` (path of the page), ``error`` (None when it ran), ``version`` (of cxstats) and
    ``data_checksum`` (SHA-256 of data/raw when it ran)."""

    name: str
    title: str
    summary: str
    status: str
    seconds: float
    html: str
    error: str | None
    version: str
    data_checksum: str


def data_checksum() -> str:
    """SHA-256 over every file in ``data/raw`` (relative names and bytes): the data the reports read."""
    digest = hashlib.sha256()
    raw = data_dir() / "raw"
    for path in sorted(p for p in raw.rglob("*") if p.is_file()):
        digest.update(path.relative_to(raw).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def discover_notebooks(folder="notebooks") -> list[Path]:
    """The numbered notebooks (``NN_name.ipynb``) of a folder, in order."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if re.match(r"^\d{2}_", p.name))


def describe(path) -> tuple[str, str]:
    """Title and one-line summary of a notebook: its first heading and the paragraph after it."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", cell.source.strip()) if p.strip()]
            title = paragraphs[0].splitlines()[0].lstrip("#").strip() if paragraphs else Path(path).stem
            summary = paragraphs[1].strip("*_ ") if len(paragraphs) > 1 else ""
            return title, summary
    return Path(path).stem, ""


def export_html(notebook, target, no_input=False, stamp="") -> Path:
    """Export an (executed) notebook to one self-contained HTML file; ``no_input`` hides the code."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="cxstats_report", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = no_input
    exporter.exclude_input_prompt = no_input
    exporter.exclude_output_prompt = no_input
    nb = nbformat.read(str(notebook), as_version=4)
    for cell in nb.cells:  # recorded key numbers are for the tests, not the reader
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs if KEY_MIMETYPE not in o.get("data", {})]
    body, _ = exporter.from_notebook_node(nb, resources={"cxstats_stamp": stamp})
    target = Path(target)
    target.write_text(body, encoding="utf-8")
    return target


def run_notebook(path, out_dir="reports", parameters=None, no_input=False, stamp="") -> ReportResult:
    """Execute one notebook in a fresh kernel and export its page; failures are caught and reported."""
    import papermill

    path, out_dir = Path(path).resolve(), Path(out_dir).resolve()
    (out_dir / "notebooks").mkdir(parents=True, exist_ok=True)
    executed = out_dir / "notebooks" / path.name
    title, summary = describe(path)
    start = time.perf_counter()
    error = None
    # the kernel must be this environment's Python, whatever PATH says
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    try:
        papermill.execute_notebook(
            str(path), str(executed), parameters=parameters or {}, kernel_name="python3",
            cwd=str(path.parent), progress_bar=False, log_output=False,
        )
    except papermill.PapermillExecutionError as err:
        error = f"{err.ename}: {err.evalue} (cell {err.exec_count})"
    except Exception as err:  # a kernel that died or a notebook that is not JSON: still report it
        error = f"{type(err).__name__}: {err}"
        if not executed.exists():
            _write_failure_notebook(path, executed, error)
    seconds = time.perf_counter() - start
    _coalesce_streams(executed)
    page = export_html(executed, out_dir / f"{path.stem}.html", no_input=no_input, stamp=stamp)
    return ReportResult(path.stem, title, summary, "failed" if error else "ok", seconds, page.name, error,
                        __version__, data_checksum())


def _coalesce_streams(path) -> None:
    """Join consecutive stdout (or stderr) pieces of a cell into one output, in place.

    The kernel may flush one print in several messages depending on timing; joined, a rerun gives the same
    notebook and the same page.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        merged = []
        for output in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (output.output_type == "stream" and last is not None and last.output_type == "stream"
                    and last.name == output.name):
                last.text += output.text
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged
    nbformat.write(nb, str(path))


def _write_failure_notebook(source, target, error) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {Path(source).stem}: could not run\n\n`{error}`")]
    nbformat.write(nb, str(target))


def build_reports(notebooks=None, out_dir="reports", no_input=False, jobs=None, parameters=None,
                  progress=True) -> list[ReportResult]:
    """Run notebooks in parallel (up to ``jobs`` at once), export each page and write ``index.html``.

    Parameters
    ----------
    notebooks : list of paths, optional
        Default: every numbered notebook in ``notebooks/``.
    out_dir : path, default "reports"
    no_input : bool, default False
        Hide code cells in the pages (prose, tables and figures only).
    jobs : int, optional
        Notebooks run at once; default the number of CPUs.
    parameters : dict, optional
        Injected into every notebook's ``parameters`` cell (papermill).
    progress : bool, default True
        Show a progress bar on standard error.

    Returns
    -------
    list of ReportResult
        In the order of ``notebooks``.
    """
    notebooks = [Path(p) for p in (notebooks or discover_notebooks())]
    if not notebooks:
        raise ValueError("no notebooks to run: give paths or run from the repository root (notebooks/NN_*.ipynb)")
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        raise ValueError(f"notebook(s) not found: {', '.join(missing)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    checksum = data_checksum()
    stamp = f"Built by cxstats {__version__} from data/raw with SHA-256 {checksum}."
    import matplotlib.font_manager  # noqa: F401  (builds the font cache once, not inside every report)
    from tqdm import tqdm

    jobs = max(1, min(jobs or os.cpu_count() or 1, len(notebooks)))
    results: dict[Path, ReportResult] = {}
    # spawned, not forked: a fork of a process running other threads (a test runner, a kernel) can crash
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(run_notebook, p, out_dir, parameters, no_input, stamp): p for p in notebooks}
        bar = tqdm(total=len(futures), desc="reports", unit="notebook", disable=not progress, file=sys.stderr)
        running = [p.stem for p in notebooks]
        bar.set_postfix_str("running: " + ", ".join(running[:jobs]))
        for future in as_completed(futures):
            path = futures[future]
            results[path] = future.result()
            running.remove(path.stem)
            bar.set_postfix_str(("running: " + ", ".join(running[:jobs])) if running else "done")
            bar.update()
        bar.close()
    ordered = [results[p] for p in notebooks]
    write_index(ordered, out_dir, checksum)
    return ordered


def write_index(results, out_dir, checksum) -> Path:
    """Write ``index.html``: one row per report with its title, summary, status and run time."""
    rows = []
    for r in results:
        status = "ok" if r.status == "ok" else f"failed: {html.escape(r.error or '')}"
        rows.append(
            f"<tr class='{r.status}'><td><a href='{html.escape(r.html)}'>{html.escape(r.title)}</a></td>"
            f"<td>{html.escape(r.summary)}</td><td>{status}</td><td>{r.seconds:.1f} s</td>"
            f"<td>{html.escape(r.version)}</td>"
            f"<td><code title='{r.data_checksum}'>{r.data_checksum[:12]}</code></td></tr>"
        )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cxstats reports</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70em; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ text-align: left; padding: 6px 10px; border-bottom: 1px solid #ddd; vertical-align: top; }}
tr.failed td {{ background: #fdecea; }}
code {{ font-size: 90%; }}
</style></head><body>
<h1>cxstats reports</h1>
<p>Each report is a notebook run on the bundled data, exported as one self-contained page.</p>
<table id="reports"><thead><tr><th>Report</th><th>Question it answers</th><th>Status</th><th>Run time</th>
<th>cxstats</th><th>Data read (SHA-256)</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
<p>cxstats version <code>{html.escape(__version__)}</code>. Data read: <code>data/raw</code>, SHA-256
<code>{checksum}</code>. Built {time.strftime("%Y-%m-%d %H:%M:%S %Z")}.</p>
<p>{sum(r.status == "ok" for r in results)} of {len(results)} reports built without error.</p>
</body></html>
"""
    path = Path(out_dir) / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def record(name: str, value) -> None:
    """Record a key number in a notebook's output, for the tests that keep reports from drifting.

    The value is stored in the executed notebook under a private MIME type
    that the HTML page does not show. ``read_records`` reads them back.

    Examples
    --------
    Outside a notebook the payload is simply printed:

    >>> record("calabrio_gap_low", 0.344)
    {'application/vnd.cxstats.key+json': {'calabrio_gap_low': 0.344}}
    """
    from IPython.display import display

    display({KEY_MIMETYPE: {name: float(value)}}, raw=True)


def read_records(notebook) -> dict:
    """Every number a notebook recorded with :func:`record`, by name."""
    import nbformat

    found = {}
    for cell in nbformat.read(str(notebook), as_version=4).cells:
        for output in cell.get("outputs", []):
            found.update(output.get("data", {}).get(KEY_MIMETYPE, {}))
    return found


def results_table(results):
    """The results as a DataFrame (for scripts and tests)."""
    import pandas as pd

    return pd.DataFrame([asdict(r) for r in results])
