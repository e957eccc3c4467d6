"""Run the notebooks and export them as standalone HTML reports, with an index page.

Each notebook runs in a fresh kernel with papermill (parameters injected into
its ``parameters`` cell), is saved executed under ``<out>/notebooks/``, and is
exported by nbconvert to ``<out>/<name>.html`` with its images embedded and no
script fetched from the network, so the single file can be mailed. A failing
notebook does not stop the others: its page shows the failing cell and the
error, and the index marks it failed. So does a notebook that is not valid
JSON, a kernel not started within ``KERNEL_START_TIMEOUT`` seconds, a cell
running past the cell timeout, a cell whose outputs had not all arrived
``IOPUB_TIMEOUT`` seconds after it finished (a page is never shown without
them), or a notebook running past the notebook timeout (its worker process
and kernel are killed).

Pages are built in a temporary folder inside ``<out>`` and moved into place
when complete; ``index.html`` is rewritten atomically at the start of a build,
after each page and at the end, so it links only pages of the current build
and says whether the build is in progress, interrupted or complete.
"""

from __future__ import annotations

import html
import math
import multiprocessing
import numbers
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__, _parameters, _provenance
from .datasets import data_dir

TEMPLATES = Path(__file__).parent / "templates"
KEY_MIMETYPE = "application/vnd.cxstats.key+json"
FAILED_BANNER = "**This report failed.**"  # first cell of a failed notebook's page
RECORD_TAG = "record"  # cell tag: the cell runs, its code is not shown on the page
DEFAULT_CELL_TIMEOUT = 600.0  # seconds one cell may run
DEFAULT_NOTEBOOK_TIMEOUT = 1800.0  # seconds one notebook may take in all
KERNEL_START_TIMEOUT = 300  # seconds a kernel may take to start (papermill's 60 s ran out on a loaded machine)
IOPUB_TIMEOUT = 120  # seconds to wait for a finished cell's last outputs (nbclient's default: 4 s); then it fails
STAGING_PREFIX = ".cxstats-build-"  # temporary folders, inside the output folder, where pages are built


@dataclass(frozen=True)
class ReportResult:
    """How one notebook fared: ``name``, ``title``, ``summary``, ``status`` ("ok" or "failed"; "pending" only in
    the index of a build still running or interrupted), ``seconds``, ``html`` (file name of the page, "" when none
    could be written), ``error`` (None when it ran), ``version`` (of cxstats), ``files_read`` (``(path, SHA-256)``
    of each file the notebook read, in the order first read; as far as it got when it failed), ``parameters`` (the
    values given for its parameters; the others kept their defaults) and ``built`` (when its page was written)."""

    name: str
    title: str
    summary: str
    status: str
    seconds: float
    html: str
    error: str | None
    version: str
    files_read: tuple = ()
    parameters: dict = field(default_factory=dict)
    built: str = ""


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S %Z")


def shown_path(path) -> str:
    """A file's path as a page shows it: ``data/...`` for the bundled data, else the absolute path."""
    path = Path(path)
    try:
        return "data/" + path.relative_to(data_dir().resolve()).as_posix()
    except ValueError:
        return str(path)


def _relative_to_cwd(path) -> str:
    path = Path(path).resolve()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def provenance(notebook, given: dict, files: list) -> dict:
    """What a page states about how it was built: cxstats version, build time, the notebook (path, SHA-256), every
    parameter with its value (and whether it was given or the default) and the files read (path, SHA-256)."""
    notebook = Path(notebook)
    try:
        values = _parameters.used(notebook, given)
    except Exception:  # a notebook that cannot be read states only what was given
        values = {name: (value, True) for name, value in given.items()}
    return {
        "version": __version__,
        "built": _now(),
        "notebook": _relative_to_cwd(notebook),
        "notebook_sha256": _provenance.sha256_file(notebook) if notebook.is_file() else "",
        "parameters": [(name, "(computed in the notebook)" if value is _parameters.UNKNOWN else repr(value),
                        "given" if was_given else "default") for name, (value, was_given) in values.items()],
        "files": [(shown_path(f["path"]), f["sha256"]) for f in files],
    }


def discover_notebooks(folder="notebooks") -> list[Path]:
    """The numbered notebooks (``NN_name.ipynb``) of a folder, in order."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if re.match(r"^\d{2}_", p.name))


def describe(path) -> tuple[str, str]:
    """Title and one-line summary of a notebook: its first heading and the paragraph after it."""
    import nbformat

    return describe_node(nbformat.read(str(path), as_version=4), Path(path).stem)


def describe_node(nb, name) -> tuple[str, str]:
    """:func:`describe` of a notebook already read; ``name`` is the title of one without a markdown cell."""
    for cell in nb.cells:
        if cell.source.startswith(FAILED_BANNER):
            continue  # the banner failure_result puts first
        if cell.cell_type == "markdown":
            paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", cell.source.strip()) if p.strip()]
            title = paragraphs[0].splitlines()[0].lstrip("#").strip() if paragraphs else name
            summary = paragraphs[1].strip("*_ ") if len(paragraphs) > 1 else ""
            return title, summary
    return name, ""


def export_html(notebook, target, no_input=False, stamp=None) -> Path:
    """Export an (executed) notebook to one self-contained HTML file; ``no_input`` hides the code; ``stamp``
    (:func:`provenance`) is the page's footer."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="cxstats_report", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = no_input
    exporter.exclude_input_prompt = no_input
    exporter.exclude_output_prompt = no_input
    # cells tagged "record" run their checks (cxstats.report.record) but show no code to the reader
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={RECORD_TAG}), enabled=True)
    nb = nbformat.read(str(notebook), as_version=4)
    nb.metadata["title"] = describe_node(nb, Path(notebook).stem)[0]  # the page's <title>
    title_cell = next((c for c in nb.cells if c.cell_type == "markdown" and not c.source.startswith(FAILED_BANNER)),
                      None)
    if title_cell is not None:  # the parameters used are listed under it
        title_cell.metadata["cxstats_title"] = True
    for cell in nb.cells:  # recorded key numbers are for the tests, not the reader
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs if KEY_MIMETYPE not in o.get("data", {})]
    body, _ = exporter.from_notebook_node(nb, resources={"cxstats_provenance": stamp or {}})
    target = Path(target)
    target.write_text(body, encoding="utf-8")
    return target


def check_seconds(value, name) -> float:
    """Return ``value`` as a float if it is a positive, finite number of seconds.

    Raises
    ------
    ValueError
        Naming ``name`` (the option at fault) and what would be valid.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, e.g. 600; got {value!r}")
    return float(value)


def check_out_dir(out_dir, notebooks) -> Path:
    """Refuse an output folder that cannot hold the reports; return it resolved (not created).

    The folder may not be a file, the ``notebooks/`` folder or a folder inside it, a folder holding one of the
    ``notebooks``, or the parent of one whose ``notebooks/`` subfolder holds them (the executed copies go to
    ``<out>/notebooks/`` and would overwrite the sources).
    """
    out = Path(out_dir).resolve()
    if out.exists() and not out.is_dir():
        raise ValueError(f"output folder {out_dir} is a file, not a folder: give a folder, e.g. reports")
    default_sources = Path("notebooks").resolve()
    if out == default_sources or default_sources in out.parents:
        raise ValueError(f"output folder {out_dir} is inside the notebooks folder {default_sources}: "
                         "give a folder outside it, e.g. reports")
    for folder in sorted({Path(p).resolve().parent for p in notebooks}):
        if out == folder or out / "notebooks" == folder:
            raise ValueError(f"output folder {out_dir} would mix the reports with (or overwrite) the notebooks in "
                             f"{folder}: give another folder, e.g. reports")
    return out


def _one_line(err, limit=2000) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _log_path(out_dir, path) -> Path:
    """Where the kernel running notebook ``path`` lists the files it reads (see ``cxstats._provenance``)."""
    return Path(out_dir) / "notebooks" / f".{Path(path).stem}.files-read.jsonl"


def _files_read(out_dir, path) -> list:
    log = _log_path(out_dir, path)
    files = _provenance.read_log(log)
    log.unlink(missing_ok=True)
    return files


def _iopub_timeout(err) -> bool:
    """Whether nbclient's timeout error is the wait for a finished cell's outputs (not the cell timeout); read
    from the message's first two lines, before the preview of the cell's code (which may say anything)."""
    return "Timeout waiting for IOPub output" in "\n".join(str(err).splitlines()[:2])


def run_notebook(path, out_dir="reports", parameters=None, no_input=False, cell_timeout=DEFAULT_CELL_TIMEOUT,
                 ) -> ReportResult:
    """Execute one notebook in a fresh kernel and export its page; failures are caught and reported.

    The executed notebook goes to ``<out_dir>/notebooks/`` and the page to ``<out_dir>/<name>.html``; the page
    ends with its provenance (:func:`provenance`). ``parameters`` are checked against the notebook's parameters
    cell first (a name it does not have, or a value that cannot be right, raises ValueError). A cell running longer
    than ``cell_timeout`` seconds is stopped and the notebook reported failed.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError

    source, out_dir = Path(path), Path(out_dir).resolve()
    (out_dir / "notebooks").mkdir(parents=True, exist_ok=True)
    executed = out_dir / "notebooks" / f"{source.stem}.ipynb"
    executed.unlink(missing_ok=True)  # a page must never show an earlier run
    start = time.perf_counter()
    try:
        title, summary = describe(source)
    except Exception as err:  # not JSON, or JSON that is not a notebook
        error = f"{source} is not a valid notebook file ({type(err).__name__}: {_one_line(err)})"
        return failure_result(source, out_dir, error, time.perf_counter() - start, no_input=no_input)
    # a name the notebook does not have, or a value that cannot be right, is the caller's error: raised
    given = _parameters.resolve([source], parameters)[source] if parameters else {}
    # the kernel must be this environment's Python, whatever PATH says
    bin_dir = str(Path(sys.executable).parent)
    if not os.environ.get("PATH", "").startswith(bin_dir + os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    log = _log_path(out_dir, source)
    log.unlink(missing_ok=True)
    os.environ[_provenance.ENV] = str(log)  # the kernel inherits it and lists the files it reads there
    failed = dict(out_dir=out_dir, seconds=0.0, title=title, summary=summary, no_input=no_input, parameters=given)
    try:
        papermill.execute_notebook(
            str(source.resolve()), str(executed), parameters=given, kernel_name="python3",
            cwd=str(source.resolve().parent), progress_bar=False, log_output=False, execution_timeout=cell_timeout,
            start_timeout=KERNEL_START_TIMEOUT, iopub_timeout=IOPUB_TIMEOUT, raise_on_iopub_timeout=True,
        )
    except papermill.PapermillExecutionError as err:  # papermill has put the error at the top of the notebook
        error = f"{err.ename}: {_one_line(err.evalue)} (cell {err.exec_count})"
    except CellTimeoutError as err:
        if _iopub_timeout(err):  # the cell ran, but its outputs did not all arrive: never a page without them
            error = (f"a cell finished but its outputs had not all arrived {IOPUB_TIMEOUT:g} s later (machine too "
                     "busy?); stopped rather than shown without them")
        else:
            error = f"a cell ran longer than the cell timeout of {cell_timeout:g} s and was stopped"
        return failure_result(source, error=error, **{**failed, "seconds": time.perf_counter() - start})
    except Exception as err:  # e.g. a kernel that died, or did not start
        error = f"{type(err).__name__}: {_one_line(err)}"
        if "didn't respond in" in str(err):
            error = (f"the notebook's kernel had not started {KERNEL_START_TIMEOUT:g} s after it was launched "
                     f"(machine too busy?), so nothing ran ({error})")
        return failure_result(source, error=error, **{**failed, "seconds": time.perf_counter() - start})
    else:
        error = None
    finally:
        os.environ.pop(_provenance.ENV, None)
    seconds = time.perf_counter() - start
    _coalesce_streams(executed)
    files = _files_read(out_dir, source)
    stamp = provenance(source, given, files)
    page = export_html(executed, out_dir / f"{source.stem}.html", no_input=no_input, stamp=stamp)
    return ReportResult(source.stem, title, summary, "failed" if error else "ok", seconds, page.name, error,
                        __version__, tuple((f["path"], f["sha256"]) for f in files), given, stamp["built"])


def failure_result(path, out_dir, error, seconds, title=None, summary="", no_input=False, parameters=None,
                   ) -> ReportResult:
    """Write the page of a notebook that could not run and return its failed ReportResult.

    The page is the executed notebook as far as it got (when readable), headed by the error; otherwise a
    notebook holding only the error. Its provenance lists the files read before it stopped.
    """
    import nbformat

    path, out_dir = Path(path), Path(out_dir)
    given = parameters or {}
    files = _files_read(out_dir, path)
    stamp = provenance(path, given, files)
    executed = out_dir / "notebooks" / f"{path.stem}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    banner = nbformat.v4.new_markdown_cell(f"{FAILED_BANNER}\n\n<pre>{html.escape(error)}</pre>")
    try:
        nb = nbformat.read(str(executed), as_version=4)
    except Exception:  # not written, or half-written when its worker was killed
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {title or path.stem}: could not run")]
    nb.cells.insert(0, banner)
    nbformat.write(nb, str(executed))
    page = export_html(executed, out_dir / f"{path.stem}.html", no_input=no_input, stamp=stamp)
    return ReportResult(path.stem, title or path.stem, summary, "failed", seconds, page.name, error, __version__,
                        tuple((f["path"], f["sha256"]) for f in files), given, stamp["built"])


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


def build_reports(notebooks=None, out_dir="reports", no_input=False, jobs=None, parameters=None, progress=True,
                  cell_timeout=DEFAULT_CELL_TIMEOUT, notebook_timeout=DEFAULT_NOTEBOOK_TIMEOUT) -> list[ReportResult]:
    """Run notebooks in parallel (up to ``jobs`` at once), export each page and write ``index.html``.

    Pages are built in a temporary folder inside ``out_dir`` and each is moved into place once complete.
    ``index.html`` is replaced (atomically) at the start by one saying the build is in progress, after each page
    and at the end, so it only ever links pages of this build that are on disk; an interrupted build (Ctrl-C,
    SIGTERM) leaves an index saying so.

    Parameters
    ----------
    notebooks : list of paths, optional
        Default: every numbered notebook in ``notebooks/``.
    out_dir : path, default "reports"
        Not a file, not inside ``notebooks/``, not a notebook's own folder.
    no_input : bool, default False
        Hide code cells in the pages (prose, tables and figures only).
    jobs : int, optional
        Notebooks run at once; default the number of CPUs.
    parameters : dict, optional
        Injected into every notebook's ``parameters`` cell (papermill).
    progress : bool, default True
        Show a progress bar on standard error.
    cell_timeout : float, default 600
        Seconds one cell may run before it is stopped and its notebook reported failed.
    notebook_timeout : float, default 1800
        Seconds one notebook may take in all (kernel start, cells, export) before its worker process and kernel
        are killed and it is reported failed ("timed out after N s").

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
    cell_timeout = check_seconds(cell_timeout, "cell_timeout")
    notebook_timeout = check_seconds(notebook_timeout, "notebook_timeout")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, numbers.Integral) or jobs < 1):
        raise ValueError(f"jobs must be a positive whole number of notebooks run at once; got {jobs!r}")
    out = check_out_dir(out_dir, notebooks)
    injected = _parameters.resolve(notebooks, parameters)  # before anything is written: a typo fails at once
    try:
        (out / "notebooks").mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(out)
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out))
    except OSError as err:
        raise ValueError(f"cannot write to output folder {out_dir} ({err.strerror}: {err.filename}): "
                         "give a folder you can write to") from None
    try:
        return _build(notebooks, out, staging, no_input, jobs, injected, progress, cell_timeout, notebook_timeout)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _build(notebooks, out, staging, no_input, jobs, injected, progress, cell_timeout, notebook_timeout):
    settings = (f"code {'hidden' if no_input else 'shown'}; cell timeout {cell_timeout:g} s; "
                f"notebook timeout {notebook_timeout:g} s")
    started = _now()
    results = {p: _pending(p, injected[p]) for p in notebooks}

    def index(state):
        write_index(list(results.values()), out, state=state, started=started, settings=settings)

    index("in progress")  # from here on the old index no longer claims anything
    import matplotlib.font_manager  # noqa: F401  (builds the font cache once, not inside every report)
    from tqdm import tqdm

    bar = tqdm(total=len(notebooks), desc="reports", unit="notebook", disable=not progress, file=sys.stderr)

    def finished(path, result):
        _move_into_place(result, staging, out)
        results[path] = result
        index("in progress")
        left = [r.name for r in results.values() if r.status == "pending"]
        bar.set_postfix_str(f"left: {', '.join(left)}" if left else "done")
        bar.update()

    def failed(path, error, seconds):
        finished(path, failure_result(path, staging, error, seconds, title=describe_or_name(path),
                                      no_input=no_input, parameters=injected[path]))

    handle_sigterm = _in_main_thread()  # only the main thread may set signal handlers
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm) if handle_sigterm else None
    try:
        _run_in_workers([(p, staging, injected[p], no_input, cell_timeout) for p in notebooks],
                        jobs or os.cpu_count() or 1, notebook_timeout, finished, failed)
    except BaseException as err:  # Ctrl-C, SIGTERM or a bug: the index says the build stopped short
        index(f"interrupted ({type(err).__name__})")
        raise
    finally:
        bar.close()
        if handle_sigterm:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
    index("complete")
    return list(results.values())


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)  # unwinds build_reports: workers killed, index marked interrupted


def _pending(path, given) -> ReportResult:
    return ReportResult(Path(path).stem, Path(path).stem, "", "pending", 0.0, "", None, __version__, (), given)


def describe_or_name(path) -> str:
    """A notebook's title, or its file name when it has none that can be read."""
    try:
        return describe(path)[0]
    except Exception:
        return Path(path).stem


def _move_into_place(result, staging, out) -> None:
    """Move a finished page and its executed notebook from the staging folder into the output folder."""
    for name in (result.html, f"notebooks/{result.name}.ipynb"):
        if name and (staging / name).is_file():
            os.replace(staging / name, out / name)


def _remove_stale_staging(out) -> None:
    """Delete the staging folders of earlier builds whose process is gone (killed before cleaning up)."""
    import psutil

    for folder in out.glob(STAGING_PREFIX + "*"):
        pid = folder.name[len(STAGING_PREFIX):].split("-")[0]
        if folder.is_dir() and pid.isdigit() and not psutil.pid_exists(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


@dataclass
class _Worker:
    """A spawned worker process, the pipe to it, and the task it runs with its start time (None when idle)."""

    process: multiprocessing.Process
    conn: object
    ready: bool = False
    task: tuple | None = None
    started: float = 0.0

    def seconds(self) -> float:
        return time.monotonic() - self.started


def _worker_main(conn) -> None:
    """Body of a worker process: run each task received on ``conn`` and send back its ReportResult."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends the workers
    import nbconvert  # noqa: F401  (imported before the first notebook's clock starts)
    import papermill  # noqa: F401

    conn.send(None)  # ready
    while True:
        try:
            task = conn.recv()
        except EOFError:  # the parent is gone
            return
        if task is None:
            return
        conn.send(_run_task(*task))


def _run_task(path, out_dir, parameters, no_input, cell_timeout) -> ReportResult:
    start = time.perf_counter()
    try:
        return run_notebook(path, out_dir, parameters, no_input, cell_timeout)
    except Exception as err:  # even the failure page could not be written
        error = f"{type(err).__name__}: {_one_line(err)}"
        return ReportResult(Path(path).stem, Path(path).stem, "", "failed", time.perf_counter() - start, "", error,
                            __version__, (), parameters)


def _run_in_workers(tasks, jobs, notebook_timeout, finished, failed) -> None:
    """Run ``tasks`` (``_run_task`` arguments) in up to ``jobs`` spawned worker processes.

    ``finished(path, result)`` is called as each notebook ends; ``failed(path, error, seconds)`` when its worker
    had to be killed (over ``notebook_timeout`` seconds) or died. Workers are reused between notebooks; on any
    exception, every worker and its kernel is killed.
    """
    from multiprocessing.connection import wait

    # spawned, not forked: a fork of a process running other threads (a test runner, a kernel) can crash
    context = multiprocessing.get_context("spawn")
    pending = list(tasks)
    workers: list[_Worker] = []
    try:
        while pending or any(w.task for w in workers):
            while len(workers) < min(jobs, len(pending) + sum(w.task is not None for w in workers)):
                workers.append(_start_worker(context))
            for worker in workers:
                if worker.ready and worker.task is None and pending:
                    worker.task, worker.started = pending.pop(0), time.monotonic()
                    worker.conn.send(worker.task)
            left = [notebook_timeout - w.seconds() for w in workers if w.task is not None]
            wait([w.conn for w in workers], timeout=max(0.0, min(left)) if left else None)
            for worker in list(workers):
                if worker.conn.poll():  # a result already sent is kept, even if just past the limit
                    _receive(worker, workers, finished, failed)
                elif worker.task is not None and worker.seconds() >= notebook_timeout:
                    _stop_worker(worker)
                    workers.remove(worker)
                    failed(worker.task[0], f"timed out after {notebook_timeout:g} s (notebook timeout); "
                                           "its worker and kernel were killed", worker.seconds())
        for worker in workers:
            try:
                worker.conn.send(None)  # stop when idle
            except OSError:  # it has gone already
                pass
        for worker in workers:
            worker.process.join(timeout=30)
    finally:
        for worker in workers:
            _stop_worker(worker)


def _start_worker(context) -> _Worker:
    parent_end, child_end = context.Pipe()
    process = context.Process(target=_worker_main, args=(child_end,), daemon=True)
    process.start()
    child_end.close()  # so that the parent sees end-of-file if the worker dies
    return _Worker(process, parent_end)


def _receive(worker, workers, finished, failed) -> None:
    """Handle one message from a worker: ready (None), a ReportResult, or end-of-file when it died."""
    try:
        message = worker.conn.recv()
    except EOFError:
        _stop_worker(worker)
        workers.remove(worker)
        if not worker.ready:  # it could not even start: starting more would fail the same way
            raise RuntimeError(f"a report worker process could not start (exit code {worker.process.exitcode})"
                               ) from None
        if worker.task is not None:
            failed(worker.task[0], f"its worker process ended unexpectedly (exit code {worker.process.exitcode})",
                   worker.seconds())
        return
    if message is None:
        worker.ready = True
    else:
        path, worker.task = worker.task[0], None
        finished(path, message)


def _stop_worker(worker) -> None:
    """Kill a worker process that is still running, and everything it started (its kernel runs in a session of
    its own, so it is not in the worker's process group)."""
    import psutil

    if worker.process.is_alive():  # not yet reaped, so its pid cannot belong to another process
        try:
            family = psutil.Process(worker.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        for child in family:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        worker.process.kill()
    worker.process.join(timeout=10)
    worker.conn.close()


def _files_cell(files) -> str:
    """The files a page read, for the index: each name with the start of its SHA-256 (all of it on hover)."""
    if not files:
        return "none"
    return "<br>".join(f"{html.escape(Path(path).name)} <code title='{html.escape(shown_path(path))} SHA-256 "
                       f"{sha}'>{sha[:12]}</code>" for path, sha in files)


def _parameters_cell(given) -> str:
    if not given:
        return "defaults"
    return "<br>".join(f"<code>{html.escape(name)}={html.escape(repr(value))}</code>" for name, value in given.items())


def write_index(results, out_dir, state="complete", started=None, settings="") -> Path:
    """Write ``index.html`` atomically: one row per notebook with its title, summary, status, run time, the
    parameters given to it and the files it read (with their SHA-256).

    A row links its page only when the page is on disk. ``state`` is "complete", "in progress" or
    "interrupted (reason)"; results with status "pending" are notebooks not finished (yet).
    """
    out_dir = Path(out_dir)
    now = _now()
    rows = []
    for r in results:
        title = html.escape(r.title)
        if r.html and (out_dir / r.html).is_file():
            title = f"<a href='{html.escape(r.html)}'>{title}</a>"
        status = {"ok": "ok", "pending": "not built"}.get(r.status, f"failed: {html.escape(r.error or '')}")
        seconds = "" if r.status == "pending" else f"{r.seconds:.1f} s"
        rows.append(
            f"<tr class='{r.status}'><td>{title}</td><td>{html.escape(r.summary)}</td><td>{status}</td>"
            f"<td>{seconds}</td><td>{_parameters_cell(r.parameters)}</td>"
            f"<td>{'' if r.status == 'pending' else _files_cell(r.files_read)}</td></tr>"
        )
    n_ok = sum(r.status == "ok" for r in results)
    n_done = sum(r.status != "pending" for r in results)
    n_failed = n_done - n_ok
    since = f"started {started}" if started else ""
    if state == "complete":
        summary = f"Built {now} ({since}). {n_ok} of {len(results)} reports built without error"
        summary += f"; {n_failed} did not (marked in red)." if n_failed else "."
    elif state == "in progress":
        summary = (f"Build in progress ({since}; updated {now}): {n_done} of {len(results)} notebooks done so far. "
                   "Reports not built yet are not linked; pages left here by an earlier build are not listed.")
    else:
        summary = (f"Build {html.escape(state)} at {now} ({since}): {n_done} of {len(results)} notebooks done, "
                   f"{n_ok} without error. Reports not built are not linked; pages left here by an earlier build "
                   "are not listed.")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cxstats reports</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70em; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ text-align: left; padding: 6px 10px; border-bottom: 1px solid #ddd; vertical-align: top; }}
tr.failed td {{ background: #fdecea; }}
tr.pending td {{ color: #777; }}
p.state {{ font-weight: bold; }}
code {{ font-size: 90%; }}
</style></head><body>
<h1>cxstats reports</h1>
<p class="state" id="state" data-state="{html.escape(state)}">{summary}</p>
<p>Each report is a notebook run with the parameters listed (the others keep the notebook's defaults), exported as
one self-contained page that ends with its provenance: every parameter, the files it read with their SHA-256, the
cxstats version and the build time.</p>
<table id="reports"><thead><tr><th>Report</th><th>Question it answers</th><th>Status</th><th>Run time</th>
<th>Parameters given</th><th>Files read (SHA-256)</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
<p>Built by cxstats version <code>{html.escape(__version__)}</code>. Settings: {html.escape(settings)}.</p>
</body></html>
"""
    path = out_dir / "index.html"
    temporary = out_dir / f".index.html.{os.getpid()}.tmp"
    temporary.write_text(page, encoding="utf-8")
    os.replace(temporary, path)
    return path


def record(name: str, value) -> None:
    """Record a key number in a notebook's output, for the tests that keep reports from drifting.

    The value is stored in the executed notebook under a private MIME type
    that the HTML page does not show (NaN and infinities as null, which JSON
    can hold). ``read_records`` reads them back.

    Examples
    --------
    Outside a notebook the payload is simply printed:

    >>> record("calabrio_gap_low", 0.344)
    {'application/vnd.cxstats.key+json': {'calabrio_gap_low': 0.344}}
    """
    from IPython.display import display

    value = float(value)
    display({KEY_MIMETYPE: {name: value if math.isfinite(value) else None}}, raw=True)  # JSON has no NaN


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
