"""Open the built reports in headless Chromium, as a reader would, with and without the code cells.

On every page: images load, nothing is logged as an error, a figure has alt text written for it, the browser
title is the notebook's title, no table shows e-notation or a p-value of 0.0, no `record(` call is visible, and
nothing scrolls sideways at 1280 px. A screenshot of each page is saved (reports/screenshots/, or the folder in
CXSTATS_SCREENSHOTS) to be looked at.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from cxstats._parameters import notebook_parameters
from cxstats.report import describe, discover_notebooks, export_html, provenance

from .conftest import ROOT

pytestmark = pytest.mark.xdist_group("reports")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The flags this machine needs for a headless Chromium with no network.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
NOTEBOOKS = {p.stem: p for p in discover_notebooks(ROOT / "notebooks")}
PAGES = ["index"] + list(NOTEBOOKS)
VARIANTS = ["code", "no_input"]
WIDTH = 1280  # px: a laptop screen; no page may scroll sideways at this width
NO_ALT = "No description has been provided for this image"  # what nbconvert writes when a figure has none
E_NOTATION = re.compile(r"\d\.\d+e[-+]?\d+|\de[-+]\d+", re.I)  # 5.84e-215, 1e-05 (not a hash's 3e5)
ZERO = re.compile(r"^[<>=≤ ]*0(\.0*)?$")  # 0, 0.0, 0.000: a p-value printed as zero
P_HEADER = re.compile(r"p[-_ ]?val|p_adjusted|adjusted p|p_heterogeneity|heterogeneity p", re.I)
SCREENSHOTS = Path(os.environ.get("CXSTATS_SCREENSHOTS", ROOT / "reports" / "screenshots"))

# In the page, for the checks below: what the reader sees, measured in the browser.
READ_PAGE = """() => {
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const inFooter = el => !!el.closest('footer#provenance');
  const tables = [...document.querySelectorAll('table')].filter(t => visible(t) && !inFooter(t));
  const cells = tables.flatMap(t => [...t.querySelectorAll('td, th')].map(c => c.innerText.trim()));
  const pCells = [];
  for (const t of tables) {
    const rows = [...t.rows];
    const head = t.tHead ? [...t.tHead.rows].pop() : null;
    if (head) {  // a column headed p-value
      [...head.cells].forEach((h, j) => {
        if (PATTERN.test(h.innerText)) {
          for (const r of t.tBodies.length ? [...t.tBodies].flatMap(b => [...b.rows]) : rows.slice(1)) {
            const c = r.cells[j]; if (c) pCells.push([h.innerText.trim(), c.innerText.trim()]);
          }
        }
      });
    }
    for (const r of rows) {  // a row headed p-value (a table turned on its side)
      const first = r.cells[0];
      if (first && first.tagName === 'TH' && PATTERN.test(first.innerText) && !(head && head.contains(first))) {
        [...r.cells].slice(1).forEach(c => pCells.push([first.innerText.trim(), c.innerText.trim()]));
      }
    }
  }
  const scrollers = [...document.querySelectorAll('body *')].filter(el => {
    if (!visible(el) || el.scrollWidth <= el.clientWidth + 1) return false;
    const overflow = getComputedStyle(el).overflowX;
    return overflow === 'auto' || overflow === 'scroll';
  }).map(el => [el.className || el.tagName, el.scrollWidth, el.clientWidth,
                el.closest('.jp-InputArea') ? 'code' : 'output']);
  return {
    title: document.title,
    images: [...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.getAttribute('alt')]),
    text: document.body.innerText,
    cells: cells,
    pCells: pCells,
    pageWidth: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
    scrollers: scrollers,
    h1: (document.querySelector('h1') || {innerText: ''}).innerText,
    tables: tables.length,
    parametersUsed: (document.querySelector('#parameters-used') || {innerText: null}).innerText,
  };
}""".replace("PATTERN", "/" + P_HEADER.pattern + "/i")


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed: `make test` installs it when run as root "
                    "(apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def pages(request):
    """``{variant: folder}``: the built pages, and the same executed notebooks exported with ``--no-input``.

    The pages are built once for the session (conftest's ``built_reports``), or taken from the folder in
    CXSTATS_REPORTS_DIR (a ``cxstats report --out`` folder of every notebook) to check pages already built.
    """
    given = os.environ.get("CXSTATS_REPORTS_DIR")
    out = Path(given) if given else request.getfixturevalue("built_reports")[1]
    bare = out / "no_input"
    bare.mkdir(exist_ok=True)
    for name, source in NOTEBOOKS.items():
        executed = out / "notebooks" / f"{name}.ipynb"
        if executed.is_file():
            export_html(executed, bare / f"{name}.html", no_input=True, stamp=provenance(source, {}, []))
    shutil.copy(out / "index.html", bare / "index.html")
    return {"code": out, "no_input": bare, "executed": out / "notebooks"}


def look(browser, path, screenshot=None) -> dict:
    """Open a page at 1280 px (saving its screenshot) and return what the reader sees, with errors logged."""
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(Path(path).as_uri())
    page.wait_for_load_state("load")
    if screenshot:
        _full_page_screenshot(page, screenshot)
    seen = {**page.evaluate(READ_PAGE), "errors": errors, "screenshot": screenshot}
    page.close()
    return seen


def _full_page_screenshot(page, path, attempts=3) -> None:
    """Save a full-page screenshot. Chromium now and then refuses one capture ("Unable to capture screenshot", a
    transient protocol error seen on busy machines; it takes the same picture when asked again, see
    robotframework-browser issue 5237), so that one error is retried; any other error fails at once."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(attempts):
        try:
            page.screenshot(path=str(path), full_page=True)
            return
        except PlaywrightError as err:
            if "Unable to capture screenshot" not in str(err) or attempt + 1 == attempts:
                raise
            page.wait_for_timeout(500)


def _is_zero(cell) -> bool:
    """A p-value printed as zero: 0, 0.0, 0.000, 0.000000e+00."""
    try:
        return float(cell.replace(",", "")) == 0
    except ValueError:
        return bool(ZERO.match(cell))


def problems(seen) -> dict:
    """What a reader would trip on, by check (an empty list: the check passes)."""
    alts = [alt for *_, alt in seen["images"]]
    width, client = seen["pageWidth"]
    return {
        "figure with alt text": (["no figure"] if not alts else [])
        + [alt for alt in alts if not alt or not alt.strip() or alt == NO_ALT],
        "e-notation in a table": [c for c in seen["cells"] if E_NOTATION.search(c)],
        "p-value shown as 0": [(head, cell) for head, cell in seen["pCells"] if _is_zero(cell)],
        "record( visible": [line for line in seen["text"].splitlines() if "record(" in line],
        "sideways scrolling": ([f"page {width} px in {client} px"] if width > client else [])
        + [s for s in seen["scrollers"] if s[3] == "output"],
    }


@pytest.fixture(scope="module")
def read(browser, pages):
    """Open a page, save its screenshot, and return what the reader sees (cached per page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    seen = {}

    def open_page(name, variant):
        if (name, variant) not in seen:
            shot = SCREENSHOTS / f"{name}{'' if variant == 'code' else '.no-input'}.png"
            seen[name, variant] = look(browser, pages[variant] / f"{name}.html", shot)
        return seen[name, variant]

    return open_page


# One test per check, so a failure names the page and what is wrong with it.
CASES = [(name, variant) for name in PAGES for variant in VARIANTS if name != "index" or variant == "code"]
ids = [f"{n}-{v}" for n, v in CASES]
REPORTS = [c for c in CASES if c[0] != "index"]
report_ids = [f"{n}-{v}" for n, v in REPORTS]


@pytest.mark.parametrize("name, variant", CASES, ids=ids)
def test_page_renders(read, name, variant):
    """Every image has a non-zero size, nothing is logged as an error, and the headline tables are there."""
    seen = read(name, variant)
    assert not seen["errors"], seen["errors"]
    assert all(done and width > 0 and height > 0 for done, width, height, _ in seen["images"]), seen["images"]
    assert seen["screenshot"].stat().st_size > 10_000
    if name == "index":
        assert seen["tables"] >= 1 and seen["title"] == "cxstats reports"
        assert seen["text"].count("\n") > len(NOTEBOOKS)
    else:
        assert seen["tables"] >= 1
        assert seen["h1"].startswith(name[:2])


@pytest.mark.parametrize("name, variant", REPORTS, ids=report_ids)
def test_page_has_a_figure_with_alt_text(read, name, variant):
    """At least one figure, each with alt text written for it (not nbconvert's placeholder, not empty)."""
    assert problems(read(name, variant))["figure with alt text"] == []


@pytest.mark.parametrize("name, variant", REPORTS, ids=report_ids)
def test_page_title_is_the_notebook_title(read, pages, name, variant):
    """The browser's title bar and tab show the notebook's title (its first heading), not 'Notebook'."""
    assert read(name, variant)["title"] == describe(pages["executed"] / f"{name}.ipynb")[0]


@pytest.mark.parametrize("name, variant", CASES, ids=ids)
def test_tables_show_no_e_notation_and_no_zero_p_value(read, name, variant):
    """No table cell a reader sees is in e-notation (5.8e-215), and no p-value is printed as 0 or 0.0."""
    found = problems(read(name, variant))
    assert (found["e-notation in a table"], found["p-value shown as 0"]) == ([], [])


@pytest.mark.parametrize("name, variant", CASES, ids=ids)
def test_no_record_call_is_visible(read, name, variant):
    """The checks a notebook records for the tests (cxstats.report.record) run in cells whose code is hidden."""
    assert problems(read(name, variant))["record( visible"] == []


@pytest.mark.parametrize("name, variant", CASES, ids=ids)
def test_nothing_scrolls_sideways_at_1280_px(read, name, variant):
    """Neither the page nor a table, figure or output inside it has a horizontal scrollbar at 1280 px."""
    assert problems(read(name, variant))["sideways scrolling"] == []


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_no_input_page_lists_its_parameters_and_keeps_its_prose(read, pages, name):
    """Without code, a page still says which parameters it ran with (under its title) and keeps every sentence
    of its markdown cells."""
    import nbformat

    seen = read(name, "no_input")
    declared = notebook_parameters(NOTEBOOKS[name])
    if declared:
        listed = seen["parametersUsed"] or ""
        assert listed.startswith("Parameters used:"), listed
        assert all(f"{p} = " in listed for p in declared), (listed, list(declared))
    text = " ".join(seen["text"].split())
    nb = nbformat.read(str(pages["executed"] / f"{name}.ipynb"), as_version=4)  # the notebook as it was built
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():  # a plain run of words from each line, markup aside
            words = re.findall(r"[A-Za-z][A-Za-z']+(?: [A-Za-z][A-Za-z']+){3,}", line)
            for phrase in words[:1]:
                assert phrase in text, f"{phrase!r} of a markdown cell is missing from the page"


# A tiny PNG (2 x 2 px) standing for a figure.
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR4nGNgYGD4z8DAwMDAxMDAAAAOCwEBN0m3GAAAAABJRU5ErkJggg==")


def _page_notebook(good: bool):
    """The same content as a page used to show it (raw pandas tables, no alt, the record call in view) or as
    cxstats.display and the report template show it."""
    import nbformat
    import pandas as pd

    from cxstats.display import show_table

    nb = nbformat.v4.new_notebook()
    wide = pd.DataFrame({"group": ["managers", "consumers"], "p_value": [0.0, 0.5], "estimate": [5.841564e-215, 1.0],
                         **{f"a_rather_long_column_name_{i}": [0.123456, 2003.0] for i in range(16)}})
    check = nbformat.v4.new_code_cell("cxstats.report.record('gap_low', 0.344)")
    table = nbformat.v4.new_code_cell("wide", execution_count=1)
    html = (show_table(wide[["group", "p_value"]], caption="p-values by group").to_html() if good
            else wide.to_html())
    table.outputs = [nbformat.v4.new_output("execute_result", data={"text/html": html}, execution_count=1)]
    figure = nbformat.v4.new_code_cell("show_figure(ax, alt=..., caption=...)")
    figure.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG},
                                             metadata={"image/png": {"alt": "Two by two grey square"}} if good
                                             else {})]
    if good:
        check.metadata["tags"] = ["record"]
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 · A page to check the checks\n\nWhat it shows."), check,
                table, figure]
    return nb


def test_the_checks_fail_on_a_raw_page_and_pass_on_a_formatted_one(browser, tmp_path):
    """Each check above can fail: on the page nbconvert makes of raw pandas output (e-notation, a p-value of 0.0,
    a 16-column table, nbconvert's placeholder alt text, the record call in view, the title "Notebook") every
    check finds its problem; on the same content shown with cxstats.display and the report template, none."""
    import nbformat
    from nbconvert import HTMLExporter

    raw = tmp_path / "raw.html"
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(_page_notebook(good=False))
    raw.write_text(body, encoding="utf-8")
    path = tmp_path / "99_good.ipynb"
    nbformat.write(_page_notebook(good=True), str(path))
    good = export_html(path, tmp_path / "good.html")
    seen_raw, seen_good = look(browser, raw), look(browser, good)
    found_raw, found_good = problems(seen_raw), problems(seen_good)
    assert all(found_raw.values()), found_raw
    assert found_raw["e-notation in a table"] == ["5.841564e-215", "1.000000e+00"]
    assert found_raw["p-value shown as 0"] == [("p_value", "0.0")]
    assert found_raw["figure with alt text"] == [NO_ALT]
    assert found_good == {check: [] for check in found_raw}
    assert seen_raw["title"] == "Notebook" and seen_good["title"] == "99 · A page to check the checks"
