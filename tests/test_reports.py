"""The report pipeline: every notebook builds, numbers stay put, failures are reported, notebooks stay clean."""

import json
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cxstats
from cxstats.report import build_reports, discover_notebooks, read_records

from .conftest import ROOT
from .reference import r_values as R

pytestmark = pytest.mark.xdist_group("reports")
NOTEBOOKS = discover_notebooks(ROOT / "notebooks")


def records(out, name):
    return read_records(out / "notebooks" / f"{name}.ipynb")


def test_every_notebook_builds(built_reports):
    """`cxstats report` runs every notebook without error and exits 0."""
    code, out = built_reports
    assert code == 0
    for nb in NOTEBOOKS:
        assert (out / f"{nb.stem}.html").stat().st_size > 10_000
    index = (out / "index.html").read_text()
    assert index.count("<tr class='ok'>") == len(NOTEBOOKS) and "failed" not in index.split("<tbody>")[1]


def _sha256(path):
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_index_lists_title_summary_version_and_files_read(built_reports):
    """The index gives each report's title, summary, status, run time, the parameters given, the cxstats version
    and the files that report read with their SHA-256: Calabrio's page read Calabrio's file alone."""
    _, out = built_reports
    index = (out / "index.html").read_text()
    assert "02 · Calabrio: do managers really see service differently from customers?" in index
    assert "tested over every count consistent with the rounding" in index
    assert cxstats.__version__ in index and re.search(r"<td>\d+\.\d s</td>", index)
    row = next(r for r in index.split("<tr") if "02_calabrio_perception_gap.html" in r)
    calabrio = ROOT / "data" / "raw" / "surveys" / "calabrio_2022.yaml"
    assert "<td>defaults</td>" in row and f"calabrio_2022.yaml <code title='data/raw/surveys/calabrio_2022.yaml " \
        f"SHA-256 {_sha256(calabrio)}'>" in row and row.count("<code title=") == 1


def test_pages_state_their_provenance(built_reports):
    """Each page ends with its provenance: cxstats version, build time, the notebook and its SHA-256, every
    parameter with its value (all defaults here), and each file it read with its SHA-256 (checked by hashlib)."""
    _, out = built_reports
    page = (out / "10_what_drives_satisfaction.html").read_text()
    footer = page[page.index('<footer id="provenance"'):]
    notebook = ROOT / "notebooks" / "10_what_drives_satisfaction.ipynb"
    assert f"Built by cxstats {cxstats.__version__} at <time>" in footer and _sha256(notebook) in footer
    assert "<tr><td><code>dataset</code></td><td><code>'customer_sat'</code></td><td>default</td>" in footer
    for name in ("customer_sat/customer_sat.csv", "copenhagen_housing/copenhagen_housing.csv"):
        path = ROOT / "data" / "raw" / "respondents" / name
        assert f"<code>data/raw/respondents/{name}</code></td><td>SHA-256 <code>{_sha256(path)}</code>" in footer
    assert footer.count("SHA-256 <code>") == 3  # the notebook and its two files, nothing else


def test_pages_are_self_contained(built_reports):
    """Report pages embed their images and fetch no script from the network."""
    _, out = built_reports
    page = (out / "02_calabrio_perception_gap.html").read_text()
    assert "data:image/png;base64," in page
    assert not re.search(r"<script[^>]+src=[\"']https?://", page)
    assert "How this page was built" in page


def test_start_here_numbers(built_reports):
    """00: the dataset counts it shows are the library's."""
    got = records(built_reports[1], "00_start_here")
    assert got["n_surveys"] == len(cxstats.list_datasets()) and got["n_figure_rows"] == len(cxstats.load())


def test_accenture_numbers(built_reports):
    """01: the 83% interval is the union of statsmodels' Wilson intervals at 1,653 and 1,672 of 2,003."""
    from scipy.stats import binomtest
    from statsmodels.stats.proportion import proportion_confint

    got = records(built_reports[1], "01_accenture_human_touch")
    low, _ = proportion_confint(1653, 2003, method="wilson")
    _, high = proportion_confint(1672, 2003, method="wilson")
    assert_allclose([got["human_ci_low"], got["human_ci_high"]], [low, high], rtol=1e-9)
    ps = [binomtest(c, 2003, 0.5).pvalue for c in range(1032, 1052)]
    assert_allclose([got["switched_p_min"], got["switched_p_max"]], [min(ps), max(ps)], rtol=1e-6)
    assert_allclose(got["deff_width_ratio"], np.sqrt(1.5), rtol=0.01)


def test_calabrio_numbers(built_reports):
    """02: the 'meets expectations' gap range and interval match a brute-force statsmodels computation."""
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    got = records(built_reports[1], "02_calabrio_perception_gap")
    pairs = [(m, c) for m in range(199, 202) for c in range(112, 114)]
    assert_allclose([got["meets_diff_low"], got["meets_diff_high"]], [(199 - 113) / 250, (201 - 112) / 250])
    cis = [confint_proportions_2indep(m, 250, c, 250, method="newcomb") for m, c in pairs]
    assert_allclose([got["meets_ci_low"], got["meets_ci_high"]], [min(c[0] for c in cis), max(c[1] for c in cis)])
    assert_allclose(got["meets_p_value_max"], max(proportions_ztest([m, c], [250, 250])[1] for m, c in pairs),
                    rtol=1e-6)
    assert got["n_rejected_after_adjustment"] == 3
    expected = cxstats.power_proportions(0.60, 0.50, nobs1=250)["power"][0]
    assert_allclose(got["power_10_points_at_250"], expected)


def test_gladly_numbers(built_reports):
    """03: all nine figures untestable; the chatbot bound equals statsmodels' McNemar at the widest cross-tab."""
    from statsmodels.stats.contingency_tables import mcnemar

    got = records(built_reports[1], "03_gladly_expectations")
    assert got["n_untestable"] == 9
    widest = [[0, 530], [430, 40]]  # 1,000 people: 53% yes to one item, 43% to the other, most disagreement
    assert_allclose(got["chatbot_p_value_max"], mcnemar(widest, exact=False, correction=False).pvalue, rtol=1e-9)


def _prints(percent, n):
    """The whole counts of n whose percentage rounds (either way at a half) to a whole-number percent."""
    return [c for c in range(n + 1) if abs(100 * c / n - percent) <= 0.5 + 1e-12]


def test_cost_of_poor_service_numbers(built_reports):
    """04: Bain's break-even bases are the first bases that can print the percentages and make every count pair
    significant with Fisher's exact test (scipy), not the fractional-count answers 2 and 4 of the pooled z test."""
    from scipy.stats import fisher_exact

    got = records(built_reports[1], "04_cost_of_poor_service")
    assert got["n_testable"] == 3 and got["n_shares"] == 8  # AmEx x 2 and Bain's 362 firms
    # 8% cannot be printed from fewer than 12 companies; 1 of 12 against 288..291 of 362 is significant
    assert all(not _prints(8, n) for n in range(1, 12)) and _prints(8, 12) == [1]
    assert max(fisher_exact([[c, 362 - c], [1, 11]]).pvalue for c in _prints(80, 362)) < 0.05
    assert got["bain_breakeven_given_362"] == 12
    # equal bases: 25 is the first that prints both 80% (20) and 8% (2), and 20 of 25 vs 2 of 25 is significant
    assert all(not (_prints(80, n) and _prints(8, n)) for n in range(1, 25))
    assert fisher_exact([[20, 5], [2, 23]]).pvalue < 0.05
    assert got["bain_breakeven_equal"] == 25
    assert_allclose(got["bain_equal_power"], cxstats.power_proportions(0.8, 0.08, nobs1=25)["power"][0])


def test_pay_more_numbers(built_reports):
    """05: the pooled share and I^2 are meta_proportions' on 901/2003 and 776/935."""
    got = records(built_reports[1], "05_pay_more_for_service")
    meta = cxstats.meta_proportions([901, 776], [2003, 935]).pooled
    assert_allclose([got["pooled"], got["i2"]], [meta.proportion[0], meta.i2[0]])
    assert got["i2"] > 99


def test_microsoft_dimension_data_numbers(built_reports):
    """12: Wilson intervals as statsmodels' at the end counts, the break-even base by brute force on the pooled z,
    the what-if 97% vs 96% whose rounding ranges meet (difference 0, p-value 1), and no test for the growth rate."""
    from statsmodels.stats.proportion import proportion_confint, proportions_ztest

    got = records(built_reports[1], "12_microsoft_dimension_data")
    # 72% of 5,000 is 3,575 to 3,625 respondents (71.5% to 72.5%, both ends kept)
    assert_allclose([got["agent_knows_ci_low"], got["agent_knows_ci_high"]],
                    [proportion_confint(3575, 5000, method="wilson")[0],
                     proportion_confint(3625, 5000, method="wilson")[1]], rtol=1e-9)
    # the smallest base of the earlier 97% making 97% vs 96% of 5,000 significant at 0.05 (pooled z, printed shares)
    def z(n1, p1=0.97, p2=0.96, n2=5000):
        pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        return (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    assert got["breakeven_earlier_base_printed"] == next(n for n in range(1, 100_000) if z(n) >= 1.959963984540054)
    # over every count the rounding allows there is none: 96.5% is possible for both at any base divisible by 200
    assert got["breakeven_earlier_base_missing"] == 1  # recorded as a number: 1 for true
    # both at 5,000: 97% allows 4,825 to 4,875 and 96% allows 4,775 to 4,825, so the two can be equal
    assert got["assumed_diff_low"] == 0
    assert_allclose(got["assumed_p_value_max"], proportions_ztest([4825, 4825], [5000, 5000])[1])
    # 79% of 1,351 organisations is 1,061 to 1,074
    assert_allclose([got["organisations_ci_low"], got["organisations_ci_high"]],
                    [proportion_confint(1061, 1351, method="wilson")[0],
                     proportion_confint(1074, 1351, method="wilson")[1]], rtol=1e-9)
    assert got["growth_rows_tested"] == 0


def test_planning_numbers(built_reports):
    """09: 1,565 per group for 55% vs 50% (R pwr.2p.test) and the closed-form n for +/- 3 points."""
    got = records(built_reports[1], "09_plan_your_own_survey")
    assert_allclose(got["n_per_group"], R.PWR_N80_TWO[0], rtol=1e-6)
    assert_allclose(got["n_margin"], 1.959963984540054**2 * 0.25 / 0.03**2, rtol=1e-9)


def test_weights_strata_clusters_numbers(built_reports):
    """11: efficiency, weighted share and NPS are the library's; the clustered design's NPS SE, design effect and
    degrees of freedom equal a hand-written linearization over the notebook's stores."""
    got = records(built_reports[1], "11_weights_strata_clusters")
    df = cxstats.simulate_respondents("gladly_2021", n=1500, seed=42)
    raked = cxstats.rake(df, {"age_group": {"18-34": 0.30, "35-54": 0.35, "55+": 0.35}})
    df["weight"] = raked.weights
    assert_allclose(got["efficiency"], raked.efficiency, rtol=1e-9)
    share = cxstats.weighted_proportion(df, "love_brands_for_service", weight="weight").estimate[0]
    assert_allclose(got["love_weighted"], share, rtol=1e-9)
    assert_allclose(got["nps_overall"], cxstats.nps(df, "recommend_0_10", weight="weight").estimate[0], rtol=1e-9)
    w = raked.weights.to_numpy()
    assert_allclose(got["efficiency"], w.sum() ** 2 / (len(w) * (w**2).sum()))
    # the notebook's stores (a planted store effect), then the linearization variance by hand
    rng = np.random.default_rng(42)
    segment_store = 3 * rng.integers(0, 4, 1500) + df.segment_true.to_numpy() - 1
    df["store"] = np.where(rng.random(1500) < 0.25, segment_store, rng.integers(0, 12, 1500))
    y = 100.0 * ((df.recommend_0_10 >= 9).astype(float) - (df.recommend_0_10 <= 6))
    mean = (w * y).sum() / w.sum()
    z = w * (y - mean) / w.sum()
    se_weights = np.sqrt(len(z) / (len(z) - 1) * ((z - z.mean()) ** 2).sum())
    psu = pd.Series(z).groupby([df.region, df.store]).sum()
    var = sum(len(t) / (len(t) - 1) * ((t - t.mean()) ** 2).sum() for _, t in psu.groupby(level=0))
    var_srs = (w * (y - mean) ** 2).sum() / (w.sum() * (len(y) - 1))
    assert_allclose([got["nps_se_weights"], got["nps_se_design"]], [se_weights, np.sqrt(var)], rtol=1e-9)
    assert_allclose(got["nps_deff_design"], var / var_srs, rtol=1e-9)
    assert got["design_df"] == psu.size - df.region.nunique() == 44


def test_segmentation_numbers(built_reports):
    """07: BIC picks the planted 3 segments and the found segments match the planted ones (ARI >= 0.9)."""
    from sklearn.metrics import adjusted_rand_score

    got = records(built_reports[1], "07_segmentation")
    assert got["suggested_k"] == 3
    df = cxstats.simulate_respondents("accenture_2016", n=1500, seed=11)
    items = list(df.attrs["item_probabilities"].index)
    model = cxstats.LatentClassSegments(n_segments=3, n_init=3, random_state=11).fit(df[items])
    assert_allclose(got["ari"], adjusted_rand_score(df.segment_true, model.labels_))
    assert got["ari"] >= 0.9
    assert round(got["carcinoma_loglik"], 3) == -293.705  # Agresti's three-class model, as published


def test_willingness_to_pay_numbers(built_reports):
    """08: price points, optima and conjoint WTP are the library's; WTP also equals a statsmodels refit."""
    from statsmodels.discrete.conditional_models import ConditionalLogit

    got = records(built_reports[1], "08_willingness_to_pay")
    study = cxstats.simulate_price_study(n=1500, seed=8, share_willing=0.45, prices=(2, 4, 6, 8, 10, 12, 14))
    vw = cxstats.van_westendorp(study, "too_cheap", "cheap", "expensive", "too_expensive",
                                pi_cheap="pi_cheap", pi_expensive="pi_expensive")
    points = vw.price_points.set_index("point").price
    assert_allclose([got[k] for k in ("pmc", "opp", "idp", "pme")], [points[k] for k in ("pmc", "opp", "idp", "pme")])
    assert got["nms_revenue_price"] == vw.optimal_revenue_price
    assert abs(got["gg_share_lowest"] - 0.45) < 0.04  # the planted share willing to pay anything
    elec = pd.read_csv(ROOT / "data" / "raw" / "electricity" / "electricity.csv.gz")
    attrs = ["pf", "cl", "loc", "wk", "tod", "seas"]
    ref = ConditionalLogit(elec.choice.astype(float), elec[attrs].astype(float), groups=elec.chid).fit(
        method="newton", disp=0).params
    assert_allclose([got["wtp_local"], got["wtp_known"]], [-ref["loc"] / ref["pf"], -ref["wk"] / ref["pf"]], rtol=1e-6)


def test_what_drives_satisfaction_numbers(built_reports):
    """10: R², the top driver's share and the ordinal model are R's (relaimpo, MASS::polr); alpha is the closed
    form on the nine attribute ratings; the OLS example is a positive correlation with a negative coefficient."""
    from .reference import r_drivers_values as RD

    got = records(built_reports[1], "10_what_drives_satisfaction")
    assert got["n_respondents"] == 1811 and got["housing_n"] == RD.HOUSING_N == 1681
    assert_allclose([got["r2"], got["ols_r2"]], RD.CS_R2, rtol=1e-10)
    assert_allclose(got["top_share"], max(RD.CS_LMG) / RD.CS_R2, rtol=1e-10)
    assert got["r2_ci_low"] < got["r2"] < got["r2_ci_high"]
    assert got["example_ols_coef"] < 0 < got["example_r"]
    sat = cxstats.load_responses("customer_sat")[RD.CS_DRIVERS]
    k = len(RD.CS_DRIVERS)
    assert_allclose(got["alpha"], k / (k - 1) * (1 - sat.var().sum() / sat.sum(axis=1).var()), rtol=1e-12)
    high = RD.POLR_TERMS.index("Infl[T.High]")
    assert_allclose(got["infl_high_odds_ratio"], np.exp(RD.POLR_LOGIT_COEF[high]), rtol=1e-4)
    assert_allclose(got["housing_loglik"], RD.POLR_LOGIT_LOGLIK, rtol=1e-6)


def _outputs(folder):
    found = {}
    for path in sorted((folder / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        found[path.name] = [json.dumps(c.get("outputs", []), sort_keys=True) for c in nb.cells]
    return found


def test_rerun_gives_identical_outputs(built_reports, tmp_path):
    """Building the reports a second time gives the same outputs in every notebook and identical pages."""
    _, first = built_reports
    results = build_reports(NOTEBOOKS, out_dir=tmp_path, jobs=2, progress=False)
    assert all(r.status == "ok" for r in results)
    assert _outputs(first) == _outputs(tmp_path)
    # the same page but for its build time, and for files a notebook wrote itself into a new temporary folder and
    # read back (11 writes an SPSS file, whose header records when it was written)
    temporary = re.escape(str(Path(tempfile.gettempdir()) / "tmp"))
    for nb in NOTEBOOKS:
        pages = [re.sub(r"<time>[^<]*</time>", "<time></time>", (folder / f"{nb.stem}.html").read_text())
                 for folder in (first, tmp_path)]
        pages = [re.sub(rf"<code>{temporary}\w+/([^<]*)</code></td><td>SHA-256 <code>\w+</code>", r"\1", page)
                 for page in pages]
        assert pages[0] == pages[1]


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Tiny\n\nA tiny test report.")]
    for i, source in enumerate(sources):
        cell = nbformat.v4.new_code_cell(source)
        if i == 0:
            cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nbformat.write(nb, str(path))
    return path


def test_failure_is_reported_and_others_still_build(tmp_path, capsys):
    """A failing notebook gets a page with the failing cell and error, the index marks it, the exit code is 1."""
    from cxstats.cli import main

    good = _notebook(tmp_path / "01_good.ipynb", "x = 1", "print('fine', x)")
    bad = _notebook(tmp_path / "02_bad.ipynb", "x = 1", "1 / 0  # the failing cell")
    out = tmp_path / "out"
    assert main(["report", str(good), str(bad), "--out", str(out), "--jobs", "2"]) == 1
    page = (out / "02_bad.html").read_text()
    assert "ZeroDivisionError" in page and "the failing cell" in page
    index = (out / "index.html").read_text()
    assert "<tr class='failed'>" in index and "ZeroDivisionError" in index and "<tr class='ok'>" in index
    assert "fine 1" in (out / "01_good.html").read_text()


def test_split_prints_are_joined(tmp_path):
    """One print flushed in several pieces becomes one output, so reruns give identical notebooks."""
    from cxstats.report import _coalesce_streams

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('a')")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="4308 choices"),
                    nbformat.v4.new_output("stream", name="stdout", text="\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="warning\n")]
    nb.cells = [cell]
    path = tmp_path / "split.ipynb"
    nbformat.write(nb, str(path))
    _coalesce_streams(path)
    outputs = nbformat.read(str(path), as_version=4).cells[0].outputs
    assert [(o.name, o.text) for o in outputs] == [("stdout", "4308 choices\n"), ("stderr", "warning\n")]


def test_parameters_are_injected_and_no_input_hides_code(tmp_path):
    """-p values reach the parameters cell; --no-input keeps outputs but drops the code."""
    from cxstats.cli import main

    nb = _notebook(tmp_path / "01_params.ipynb", "conf_level = 0.95", "print('level is', conf_level * 100)")
    out = tmp_path / "out"
    assert main(["report", str(nb), "--out", str(out), "--no-input", "-p", "conf_level=0.9"]) == 0
    page = (out / "01_params.html").read_text()
    assert "level is 90.0" in page
    assert "print(" not in page


def test_unknown_notebook_is_a_clear_error(tmp_path, capsys):
    """A notebook path that does not exist is named, with exit status 2."""
    from cxstats.cli import main

    assert main(["report", str(tmp_path / "nope.ipynb"), "--out", str(tmp_path)]) == 2
    assert "notebook(s) not found" in capsys.readouterr().err


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean_and_thin(path):
    """Committed without outputs; opens with a title and a parameters cell; ends with a take-away; no long defs."""
    nb = nbformat.read(str(path), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "strip the outputs"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "parameters" in code[0].metadata.get("tags", [])
    assert "What to take away" in nb.cells[-1].source
    for cell in code:
        for match in re.finditer(r"^def \w+.*?(?=^\S|\Z)", cell.source, flags=re.M | re.S):
            assert match.group(0).count("\n") <= 3, f"move the helper in {path.name} into the package"


def test_every_report_is_listed_in_readme():
    """The README names each report."""
    readme = (ROOT / "README.md").read_text()
    for nb in NOTEBOOKS:
        assert nb.stem in readme, nb.stem


# Never ends, and holds the GIL, so the kernel cannot notice that its worker process is gone: only killing it works.
GIL_HOG = "sum(range(10**15))"


def _links_exist(out):
    """Every page the index links is on disk."""
    links = re.findall(r"href='([^']+)'", (out / "index.html").read_text())
    assert all((out / link).is_file() for link in links), links
    return links


def _ended(pid):
    """Whether the process had ended (a zombie counts: it runs nothing); if not, it is killed now, so that a failing
    test leaves no busy process behind."""
    import psutil

    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return True
        process.kill()
        return False
    except psutil.NoSuchProcess:
        return True


def test_cell_timeout_stops_a_cell_that_never_ends(tmp_path):
    """A sleeping cell and a busy loop are both stopped after cell_timeout; the page shows where it stopped."""
    from cxstats.report import run_notebook

    sleeper = _notebook(tmp_path / "01_sleep.ipynb", "x = 1", "import time\ntime.sleep(600)  # sleeps on")
    spinner = _notebook(tmp_path / "02_spin.ipynb", "x = 1", "while True:  # spins on\n    x += 1")
    for nb, cell in [(sleeper, "sleeps on"), (spinner, "spins on")]:
        result = run_notebook(nb, tmp_path / "out", cell_timeout=2)
        assert result.status == "failed" and result.error.startswith("a cell ran longer than the cell timeout of 2 s")
        assert result.seconds < 60
        page = (tmp_path / "out" / result.html).read_text()
        assert "This report failed" in page and cell in page


def test_outputs_arriving_late_fail_the_notebook(tmp_path, monkeypatch):
    """A cell whose outputs have not all arrived IOPUB_TIMEOUT seconds after it finished fails the notebook: the
    page is never written without them (nbclient's default waits 4 s, then carries on without them).

    The kernel is made to announce each finished cell 3 s late, so the wait of 1 s runs out."""
    from cxstats import report

    slow = ("import time\n"
            "kernel = get_ipython().kernel\n"
            "publish = kernel._publish_status\n"
            "def late_idle(status, *args, **kwargs):\n"
            "    if status == 'idle':\n"
            "        time.sleep(3)\n"
            "    publish(status, *args, **kwargs)\n"
            "kernel._publish_status = late_idle")
    nb = _notebook(tmp_path / "01_late.ipynb", "x = 1", slow, "print('never reached')")
    monkeypatch.setattr(report, "IOPUB_TIMEOUT", 1)
    result = report.run_notebook(nb, tmp_path / "out")
    assert result.status == "failed"
    assert result.error.startswith("a cell finished but its outputs had not all arrived 1 s later")
    page = (tmp_path / "out" / result.html).read_text()
    assert "This report failed" in page and "never reached" in page  # the page shows the code, without its output
    executed = nbformat.read(str(tmp_path / "out" / "notebooks" / "01_late.ipynb"), as_version=4)
    assert not any(cell.get("outputs") for cell in executed.cells if "never reached" in cell.source)


def test_a_kernel_that_does_not_start_in_time_fails_the_notebook(tmp_path, monkeypatch):
    """A kernel not ready KERNEL_START_TIMEOUT seconds after launch fails the notebook with an error saying so
    (papermill's own 60 s once ran out inside the test suite on a loaded machine); the page says what happened.

    A kernel cannot be made to start late on demand, so papermill is replaced by one that raises what
    jupyter_client raises then, after recording what it was asked."""
    import papermill

    from cxstats import report

    asked = {}

    def late_kernel(*args, **kwargs):
        asked.update(kwargs)
        raise RuntimeError(f"Kernel didn't respond in {kwargs['start_timeout']} seconds")

    monkeypatch.setattr(papermill, "execute_notebook", late_kernel)
    nb = _notebook(tmp_path / "01_start.ipynb", "x = 1", "print('never run')")
    result = report.run_notebook(nb, tmp_path / "out")
    assert asked["start_timeout"] == report.KERNEL_START_TIMEOUT == 300
    assert asked["iopub_timeout"] == report.IOPUB_TIMEOUT and asked["raise_on_iopub_timeout"] is True
    assert result.status == "failed"
    assert result.error.startswith("the notebook's kernel had not started 300 s after it was launched")
    page = (tmp_path / "out" / result.html).read_text()
    assert "This report failed" in page and "had not started 300 s" in page


def test_notebook_timeout_kills_worker_and_kernel(tmp_path):
    """A notebook past the notebook timeout is killed with its kernel and reported; the others still build.

    One never-ending cell, and one notebook of many short cells (each well within the cell timeout).
    """
    good = _notebook(tmp_path / "01_good.ipynb", "x = 1", "print('fine', x)")
    spin = _notebook(tmp_path / "02_spin.ipynb", "import os", f"open({str(tmp_path / 'kernel.pid')!r}, 'w')"
                     ".write(str(os.getpid()))", GIL_HOG)
    many = _notebook(tmp_path / "03_many.ipynb", "import time", *["time.sleep(1)"] * 300)
    out = tmp_path / "out"
    start = time.monotonic()
    results = build_reports([good, spin, many], out, jobs=3, progress=False, cell_timeout=100, notebook_timeout=15)
    assert time.monotonic() - start < 150
    assert [r.status for r in results] == ["ok", "failed", "failed"]
    for r in results[1:]:
        assert r.error.startswith("timed out after 15 s") and 15 <= r.seconds < 40
        assert "timed out after 15 s" in (out / r.html).read_text()
    assert _ended(int((tmp_path / "kernel.pid").read_text()))
    index = (out / "index.html").read_text()
    assert index.count("<tr class='failed'>") == 2 and "1 of 3 reports built without error" in index
    assert len(_links_exist(out)) == 3


def test_invalid_notebook_is_named_and_the_others_still_build(tmp_path, capsys):
    """A file that is not JSON, and JSON that is not a notebook: each is named and failed; the rest build."""
    from cxstats.cli import main

    good = _notebook(tmp_path / "01_good.ipynb", "x = 1", "print('fine', x)")
    (tmp_path / "02_broken.ipynb").write_text('{"cells": [ {"cell_type": "code", ')  # cut short
    (tmp_path / "03_list.ipynb").write_text('["not", "a", "notebook"]')
    out = tmp_path / "out"
    stale = out / ".cxstats-build-999999999-abc"  # left by a killed build (no such process)
    stale.mkdir(parents=True)
    args = ["report", str(good), str(tmp_path / "02_broken.ipynb"), str(tmp_path / "03_list.ipynb"), "--out", str(out)]
    assert main(args) == 1
    captured = capsys.readouterr()
    for name in ("02_broken", "03_list"):
        assert f"{tmp_path / name}.ipynb is not a valid notebook file" in captured.out
        assert name in captured.err.splitlines()[-1]
        assert "not a valid notebook file" in (out / f"{name}.html").read_text()
    assert "fine 1" in (out / "01_good.html").read_text()
    index = (out / "index.html").read_text()
    assert index.count("<tr class='failed'>") == 2 and index.count("<tr class='ok'>") == 1
    assert "02_broken.ipynb is not a valid notebook file" in index
    assert len(_links_exist(out)) == 3
    assert sorted(p.name for p in out.iterdir()) == ["01_good.html", "02_broken.html", "03_list.html",
                                                     "index.html", "notebooks"]


def _old_build(out):
    """An earlier build's index claiming two pages, and one of those pages."""
    out.mkdir()
    (out / "02_spin.html").write_text("an old page")
    (out / "index.html").write_text("<a href='01_good.html'>old</a><a href='02_spin.html'>old</a> 2 of 2 reports built")


def test_killed_rebuild_leaves_a_truthful_index(tmp_path):
    """While a rebuild runs, and after it is killed (SIGTERM), the index claims no missing or earlier page, says what
    happened, and the worker and kernel of the notebook still running are gone."""
    good = _notebook(tmp_path / "01_good.ipynb", "x = 1", "print('fine', x)")
    pid_file = tmp_path / "kernel.pid"
    spin = _notebook(tmp_path / "02_spin.ipynb", "import os", f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))",
                     GIL_HOG)
    out = tmp_path / "out"
    _old_build(out)
    build = subprocess.Popen([sys.executable, "-m", "cxstats.cli", "report", str(good), str(spin), "--out", str(out),
                              "--jobs", "2"], stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while not (pid_file.exists() and "<tr class='ok'>" in (out / "index.html").read_text()):
            assert build.poll() is None and time.monotonic() < deadline, "the build did not get going"
            time.sleep(0.5)
        index = (out / "index.html").read_text()  # what a SIGKILL now would leave
        assert 'data-state="in progress"' in index and "2 of 2" not in index
        assert _links_exist(out) == ["01_good.html"]
        build.send_signal(signal.SIGTERM)
        assert build.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        build.kill()
        time.sleep(1)
        kernel_ended = not pid_file.exists() or _ended(int(pid_file.read_text()))
    assert kernel_ended
    index = (out / "index.html").read_text()
    assert 'data-state="interrupted (SystemExit)"' in index and "1 of 2 notebooks done" in index
    assert "<tr class='pending'><td>02_spin</td>" in index
    assert _links_exist(out) == ["01_good.html"]
    assert not list(out.glob(".cxstats-build-*"))


def test_ctrl_c_leaves_a_truthful_index(tmp_path, monkeypatch, capsys):
    """Ctrl-C after one notebook has failed: exit 130, the index lists that page and marks the other not built.

    Before any page is done, the earlier build's index has already been replaced by one claiming nothing.
    """
    import cxstats.report
    from cxstats.cli import main

    at_start = []

    def one_then_ctrl_c(tasks, jobs, notebook_timeout, finished, failed):
        at_start.append((out / "index.html").read_text())  # what a SIGKILL before any page would leave
        failed(tasks[0][0], "ZeroDivisionError: a stand-in failure", 1.0)
        raise KeyboardInterrupt

    monkeypatch.setattr(cxstats.report, "_run_in_workers", one_then_ctrl_c)
    first = _notebook(tmp_path / "01_good.ipynb", "x = 1")
    second = _notebook(tmp_path / "02_spin.ipynb", "x = 1")
    out = tmp_path / "out"
    _old_build(out)
    assert main(["report", str(first), str(second), "--out", str(out)]) == 130
    assert 'data-state="in progress"' in at_start[0] and "href" not in at_start[0] and "2 of 2" not in at_start[0]
    assert "interrupted" in capsys.readouterr().err
    index = (out / "index.html").read_text()
    assert 'data-state="interrupted (KeyboardInterrupt)"' in index and "2 of 2" not in index
    assert "<tr class='failed'>" in index and "a stand-in failure" in index
    assert "<tr class='pending'><td>02_spin</td>" in index
    assert _links_exist(out) == ["01_good.html"]
    assert not list(out.glob(".cxstats-build-*"))


def test_a_page_lists_the_files_it_read_even_when_it_failed(tmp_path):
    """A notebook reading the user's file through the package: the page and the result give that file's path and
    SHA-256; a notebook failing after a read still states what it read before it stopped."""
    from cxstats.report import run_notebook

    survey = tmp_path / "my survey.csv"
    survey.write_text("id,q1\n1,4\n2,5\n", encoding="utf-8")
    reading = f"import cxstats\ndf = cxstats.read_responses({str(survey)!r})"
    good = _notebook(tmp_path / "01_reads.ipynb", "x = 1", reading, "print(len(df))")
    bad = _notebook(tmp_path / "02_reads_then_fails.ipynb", "x = 1", reading, "1 / 0")
    for nb, status in [(good, "ok"), (bad, "failed")]:
        result = run_notebook(nb, tmp_path / "out")
        assert result.status == status and result.files_read == ((str(survey.resolve()), _sha256(survey)),)
        page = (tmp_path / "out" / result.html).read_text()
        assert f"<code>{survey.resolve()}</code></td><td>SHA-256 <code>{_sha256(survey)}</code>" in page
        assert not list((tmp_path / "out" / "notebooks").glob(".*.jsonl"))  # the kernel's list is cleaned up


def test_parameters_go_only_to_the_notebooks_that_have_them(tmp_path):
    """-p values are injected into the notebooks whose parameters cell has the name, read as each default says
    (a list default splits a comma text); the index and the pages say which were given."""
    from cxstats.cli import main

    listing = _notebook(tmp_path / "01_list.ipynb", "ratings = ['a']\nconf_level = 0.95",
                        "print('ratings', ratings, 'level', conf_level)")
    other = _notebook(tmp_path / "02_other.ipynb", "conf_level = 0.95", "print('level', conf_level)")
    out = tmp_path / "out"
    assert main(["report", str(listing), str(other), "--out", str(out), "-p", "ratings=q1, q2,q3",
                 "-p", "conf_level=0.9"]) == 0
    assert "ratings ['q1', 'q2', 'q3'] level 0.9" in (out / "01_list.html").read_text()
    other_page = (out / "02_other.html").read_text()
    assert "level 0.9" in other_page and "ratings" not in other_page.split('<footer id="provenance"')[0]
    index = (out / "index.html").read_text()
    assert "<code>ratings=[&#x27;q1&#x27;, &#x27;q2&#x27;, &#x27;q3&#x27;]</code>" in index
    assert "<tr><td><code>ratings</code></td><td><code>['q1', 'q2', 'q3']</code></td>" \
           "<td>given</td>" in (out / "01_list.html").read_text()


def test_pages_stand_alone(tmp_path):
    """A page's <title> is the notebook's title; a cell tagged `record` runs but shows no code; the parameters used
    are listed under the title; --no-input keeps every markdown cell; a figure's alt text is its <img alt>."""
    from bs4 import BeautifulSoup

    from cxstats.report import run_notebook

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("conf_level = 0.95  # the level\nsurvey = 'calabrio_2022'")
    params.metadata["tags"] = ["parameters"]
    check = nbformat.v4.new_code_cell("import cxstats\ncxstats.report.record('hidden_check', 42)")
    check.metadata["tags"] = ["record"]
    figure = nbformat.v4.new_code_cell(
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nfrom cxstats.display import "
        "show_figure\nfig, ax = plt.subplots()\nax.bar(['a', 'b'], [1, 2])\n"
        "show_figure(fig, alt='Two bars: a & b are \"1\" and 2', caption='b is twice a.')")
    nb.cells = [nbformat.v4.new_markdown_cell("# 01 · A page: that stands alone\n\nIt says what it does."), params,
                nbformat.v4.new_markdown_cell("Why the check matters."), check, figure,
                nbformat.v4.new_markdown_cell("## What to take away\n\nThe last word.")]
    path = tmp_path / "01_alone.ipynb"
    nbformat.write(nb, str(path))
    for no_input in (False, True):
        out = tmp_path / f"out{no_input}"
        result = run_notebook(path, out, parameters={"conf_level": 0.9}, no_input=no_input)
        assert result.status == "ok", result.error
        page = (out / result.html).read_text()
        assert "<title>01 · A page: that stands alone</title>" in page
        visible = re.sub(r"<[^>]+>", "", page.split("</style>")[-1])  # the text a reader sees, tags removed
        assert "hidden_check" not in page and "record(" not in visible
        assert read_records(out / "notebooks" / "01_alone.ipynb") == {"hidden_check": 42.0}  # it ran
        images = BeautifulSoup(page, "html.parser").find_all("img")
        assert [img.get("alt") for img in images] == ['Two bars: a & b are "1" and 2']
        assert '<p class="cxstats-figure-caption">b is twice a.</p>' in page
        for text in ("It says what it does.", "Why the check matters.", "The last word."):
            assert text in page
        aside = " ".join(BeautifulSoup(page, "html.parser").find(id="parameters-used").get_text().split())
        assert aside == "Parameters used: conf_level = 0.9 (given); survey = 'calabrio_2022' (default)."
        assert page.index("stands alone<a") < page.index('id="parameters-used"') < page.index("Why the")
        assert ("conf_level = 0.95" in visible) is not no_input  # the code of the parameters cell


def test_a_cell_timeout_is_not_read_as_an_iopub_timeout_because_of_the_cells_code(tmp_path):
    """nbclient's timeout error quotes the cell's code: a cell that mentions IOPub and runs past the cell
    timeout is still reported as a cell timeout (the kind is read from nbclient's message, not the code)."""
    from cxstats.report import run_notebook

    nb = _notebook(tmp_path / "01_sleep.ipynb", "x = 1", "import time\ntime.sleep(600)  # no IOPub output for a while")
    result = run_notebook(nb, tmp_path / "out", cell_timeout=2)
    assert result.status == "failed" and result.error.startswith("a cell ran longer than the cell timeout of 2 s")


def test_a_real_kernel_that_starts_late_fails_the_notebook(tmp_path, monkeypatch):
    """The kernel-start failure through papermill, nbclient and jupyter_client themselves (not a stand-in), so a
    change in the message jupyter_client raises is caught: a "python3" kernel spec that waits 30 s before it
    starts the kernel, and a start timeout of 2 s."""
    from cxstats import report

    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    launch = f'sleep 30; exec "{sys.executable}" -m ipykernel_launcher -f "$0"'
    spec.joinpath("kernel.json").write_text(json.dumps({"argv": ["/bin/sh", "-c", launch, "{connection_file}"],
                                                        "display_name": "Python 3 (late)", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setattr(report, "KERNEL_START_TIMEOUT", 2)
    nb = _notebook(tmp_path / "01_late_start.ipynb", "x = 1", "print('never run')")
    result = report.run_notebook(nb, tmp_path / "out")
    assert result.status == "failed"
    assert result.error.startswith("the notebook's kernel had not started 2 s after it was launched"), result.error
