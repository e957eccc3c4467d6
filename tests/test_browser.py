"""Open the built reports in headless Chromium: images load, no console errors, headline tables present."""

import shutil

import pytest

from cxstats.report import discover_notebooks

from .conftest import ROOT

pytestmark = pytest.mark.xdist_group("reports")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The flags this machine needs for a headless Chromium with no network.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
PAGES = ["index"] + [p.stem for p in discover_notebooks(ROOT / "notebooks")]
WITH_FIGURES = {"01_accenture_human_touch": 1, "02_calabrio_perception_gap": 2, "03_gladly_expectations": 1,
                "05_pay_more_for_service": 1, "07_segmentation": 3, "08_willingness_to_pay": 1,
                "09_plan_your_own_survey": 1}


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


@pytest.mark.parametrize("name", PAGES)
def test_page_renders(browser, built_reports, tmp_path, name):
    """Every image has a non-zero size, nothing is logged as an error, and the headline tables are there."""
    _, out = built_reports
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto((out / f"{name}.html").as_uri())
    page.wait_for_load_state("load")
    sizes = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    assert not errors, errors
    assert all(done and width > 0 and height > 0 for done, width, height in sizes), sizes
    assert len(sizes) >= WITH_FIGURES.get(name, 0)
    if name == "index":
        assert page.locator("table#reports tbody tr").count() == len(PAGES) - 1
    else:
        assert page.locator("table.dataframe").count() >= 1
        assert page.locator("h1").first.inner_text().startswith(name[:2])
    assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    page.close()
