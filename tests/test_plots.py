"""Plots draw what they are given, with a title, axis labels and a caption."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from numpy.testing import assert_allclose  # noqa: E402

import cxstats  # noqa: E402
from cxstats import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def _captions(ax):
    return [t.get_text() for t in ax.texts]


def test_plot_figures_draws_intervals():
    """Points sit at the printed percentages and bars span the intervals; untestable rows are hollow."""
    table = cxstats.analyze_figures(cxstats.load("accenture_2016"))
    ax = plots.plot_figures(table, reference=50, caption="cap")
    points = ax.lines[0].get_xydata()  # the errorbar's data line, drawn bottom-up
    testable = table[table.testable].iloc[::-1]
    assert_allclose(points[:, 0], testable.percent)
    assert ax.get_title(loc="left") and ax.get_xlabel() == "Percent of respondents" and _captions(ax) == ["cap"]
    assert ax.get_ylabel() == "Published figure"
    assert len(ax.get_yticklabels()) == len(table)


def test_plot_dumbbell_one_row_per_figure():
    """One row per figure, both groups drawn at their printed shares."""
    table = cxstats.analyze_figures(cxstats.load("calabrio_2022"))
    ax = plots.plot_dumbbell(table, ("managers", "consumers"), caption="cap")
    assert len(ax.get_yticks()) == 3
    drawn = sorted(np.concatenate([line.get_xdata() for line in ax.lines[:3]]))
    assert_allclose(drawn, sorted(table.percent))


def test_plot_forest_has_pooled_diamond():
    """The diamond spans the pooled interval."""
    result = cxstats.meta_proportions([901, 2075], [2003, 2500], labels=["A", "B"])
    ax = plots.plot_forest(result)
    diamond = ax.patches[0].get_xy()
    assert_allclose([diamond[:, 0].min(), diamond[:, 0].max()],
                    100 * result.pooled[["ci_low", "ci_high"]].to_numpy()[0])


def test_plot_power_curve_matches_power_function():
    """The curve is power_proportions at each base."""
    nobs = np.arange(100, 1001, 100)
    ax = plots.plot_power_curve([0.55], [0.50], nobs=nobs)
    assert_allclose(ax.lines[0].get_ydata(), cxstats.power_proportions(0.55, 0.50, nobs1=nobs)["power"])
    assert ax.get_ylabel() == "Power" and ax.get_xlabel() == "Respondents per group"


def test_plot_likert_diverges_around_neutral():
    """Bars sum to 100% per item and the neutral answer is split evenly around zero."""
    import pandas as pd

    df = pd.DataFrame({"speed": [1, 2, 3, 4, 5, 5], "empathy": [3, 3, 3, 3, 1, 5]})
    ax = plots.plot_likert(df, ["speed", "empathy"], scale=range(1, 6), caption="cap")
    widths = np.array([p.get_width() for p in ax.patches]).reshape(5, 2)  # 5 answers x 2 items
    assert_allclose(widths.sum(axis=0), [100, 100])
    lefts = np.array([p.get_x() for p in ax.patches]).reshape(5, 2)
    assert_allclose(lefts[2], -widths[2] / 2)  # the middle answer straddles zero
    assert ax.get_xlabel() == "Percent of respondents" and _captions(ax) == ["cap"]


def test_likert_places_answers_by_value_not_position():
    """An item where nobody chose 1 or 2 still has five points: its shares sit on 3, 4, 5, not on 1, 2, 3."""
    import pandas as pd

    df = pd.DataFrame({"speed": [3, 4, 5, 5], "w": [1.0, 1.0, 1.0, 3.0]})
    shares = plots.likert_shares(df, ["speed"], scale=range(1, 6), weight="w")
    assert_allclose(shares.loc["speed"].to_numpy(), [0, 0, 1 / 6, 1 / 6, 4 / 6])
    with pytest.raises(ValueError, match=r"column 'speed' has answers \[5\] that are not on the scale"):
        plots.likert_shares(df, ["speed"], scale=range(1, 5))


def test_segment_plots_show_profile_and_sizes():
    """The heatmap annotates every segment x answer cell; the size bars are the segment shares."""
    import pandas as pd

    df = pd.DataFrame({"human": [1, 1, 0, 0, 1, 0], "csat": [5, 4, 2, 1, 5, 2], "segment": [0, 0, 1, 1, 0, 1]})
    table = cxstats.profile(df, "segment")
    ax = plots.plot_segment_profiles(table, labels={"human": "prefers a human"})
    assert len([t for t in ax.texts if t.get_text()]) == 4
    assert [t.get_text() for t in ax.get_yticklabels()] == ["prefers a human", "csat"]
    ax = plots.plot_segment_sizes(table)
    assert_allclose([p.get_height() for p in ax.patches], [50, 50])


def test_selection_plot_marks_suggested_k():
    """BIC is drawn against k and the suggested k gets a vertical line."""
    import pandas as pd

    table = pd.DataFrame({"k": [2, 3, 4], "bic": [10.0, 8.0, 9.0], "sabic": [9.0, 7.5, 8.5],
                          "entropy": [0.9, 0.95, 0.8], "silhouette": [np.nan] * 3, "stability": [0.9, 0.99, 0.7],
                          "suggested": [False, True, False]})
    ax = plots.plot_selection(table)
    assert_allclose(ax.lines[0].get_ydata(), table.bic)
    assert any(len(line.get_xdata()) == 2 and np.allclose(line.get_xdata(), 3) for line in ax.lines)


def test_van_westendorp_plot_draws_the_curves():
    """The four curves are drawn in percent and the acceptable range is shaded between PMC and PME."""
    import pandas as pd

    df = pd.DataFrame({"tc": [1, 2, 3, 4, 5], "c": [3, 4, 5, 6, 7], "e": [5, 6, 7, 8, 9], "te": [8, 9, 10, 11, 12]})
    res = cxstats.van_westendorp(df, "tc", "c", "e", "te")
    ax = plots.plot_van_westendorp(res)
    assert_allclose(ax.lines[0].get_ydata(), 100 * res.curves.too_cheap)
    span = ax.patches[0].get_bbox()  # the shaded acceptable range, in data coordinates
    points = res.price_points.set_index("point").price
    assert_allclose([span.x0, span.x1], [points.pmc, points.pme])
