"""Tables and figures as a page shows them (cxstats.display): the exact text of each formatted value."""

import base64
import re

import numpy as np
import pandas as pd
import pytest

import cxstats
from cxstats.display import column_formats, format_value, show_figure, show_table


def cells(styler) -> list[list[str]]:
    """The visible text of each body cell (row headers included), row by row, as the page shows it."""
    html = styler.to_html()
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    unescape = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&#39;": "'", "&quot;": '"'}
    out = []
    for row in rows:
        texts = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)
        for code, char in unescape.items():
            texts = [t.replace(code, char) for t in texts]
        out.append([t.strip() for t in texts])
    return out


def headers(styler) -> list[str]:
    head = styler.to_html().split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [t.strip() for t in re.findall(r"<th[^>]*>(.*?)</th>", head, flags=re.S)]


@pytest.mark.parametrize("value, kind, text", [
    (5.841564e-215, "p_value", "< 0.001"),
    (0.000999, "p_value", "< 0.001"),
    (0.001, "p_value", "0.0010"),
    (0.0123, "p_value", "0.012"),
    (0.049, "p_value", "0.049"),
    (0.5, "p_value", "0.50"),
    (1.0, "p_value", "1.0"),
    (0.0, "p_value", "< 0.001"),
    (2003.0, "count", "2,003"),
    (1564.529, "count", "1,565"),
    (70000000.0, "count", "70,000,000"),
    (float("inf"), "count", "\u221e"),
    (0.4567, "percent", "45.7%"),
    (1.0, "percent", "100.0%"),
    (0.0004, "percent", "< 0.1%"),
    (83.0, "percent_points", "83.0%"),
    (83.0, "published", "83%"),
    (96, "published", "96%"),
    (45.5, "published", "45.5%"),
    (12.25, "published", "12.25%"),
    (45.000000000001, "published", "45%"),
    (-12.34, "points", "-12.3"),
    (0.344, "pp", "34.4"),
    (-0.0318, "pp", "-3.2"),
    (1.23456, "number", "1.23"),
    (1234567.891, "number", "1,234,567.89"),
    (-0.0, "number", "0.00"),
    (1e-9, "number", "< 0.01"),
    (-1e-9, "number", "> -0.01"),
    (2014.0, "text", "2014"),
    ("two-sided", "text", "two-sided"),
    (True, "text", "yes"),
    (np.bool_(False), "number", "no"),
    (float("nan"), "percent", "\u2014"),
    (None, "count", "\u2014"),
    (pd.NA, "p_value", "\u2014"),
    (pd.NaT, "text", "\u2014"),
])
def test_format_value(value, kind, text):
    assert format_value(value, kind) == text


def test_number_never_uses_e_notation():
    for x in (5.841564e-215, 1e20, 7e7, 123456789.123, 3.2e-7):
        for kind in ("number", "points", "pp", "percent", "count", "p_value", "published"):
            assert "e" not in format_value(x, kind).lower(), (x, kind)


def test_format_value_refuses_unknown_kind():
    with pytest.raises(ValueError, match="kind must be one of"):
        format_value(1.0, "percentage")


def test_table_formats_from_glossary_names():
    t = pd.DataFrame({"group": ["managers", "consumers"], "proportion": [0.4567, np.nan],
                      "n": [2003.0, 250.0], "p_value": [5.841564e-215, 0.0123]})
    s = show_table(t, caption="Share agreeing, by group")
    assert cells(s) == [["managers", "45.7%", "2,003", "< 0.001"], ["consumers", "\u2014", "250", "0.012"]]
    assert headers(s) == ["Group", "Share (%)", "Respondents", "p-value"]
    html = s.to_html()
    assert "<caption>Share agreeing, by group</caption>" in html
    assert 'class="cxstats-footnote"' in html and "missing, or not applicable" in html
    assert "<th class=\"row_heading" not in html  # no running index


def test_returned_table_is_not_changed():
    t = pd.DataFrame({"proportion": [0.25, 0.5], "n": [10.0, 20.0]})
    before = t.copy()
    show_table(t, caption="Shares")
    pd.testing.assert_frame_equal(t, before)


def test_footnote_only_when_a_value_is_missing_and_custom_note():
    t = pd.DataFrame({"proportion": [0.25, 0.5]})
    assert "cxstats-footnote" not in show_table(t, caption="Shares").to_html()
    t.loc[1, "proportion"] = np.nan
    html = show_table(t, caption="Shares", missing_note="\u2014 nobody in this group answered").to_html()
    assert "\u2014 nobody in this group answered" in html and "not applicable" not in html


def test_intervals_follow_their_estimate_and_gaps_are_points():
    r = cxstats.compare_proportions(40, 100, 30, 100)  # diff 0.1, ci -0.0319 to 0.2272, p 0.138
    kinds = column_formats(r)
    assert kinds["p1"][0] == "percent" and kinds["diff"][0] == "pp"
    assert kinds["ci_low"][0] == "pp" and kinds["ci_high"][0] == "pp"
    est = pd.DataFrame({"estimate": [0.61], "ci_low": [0.58], "ci_high": [0.64], "se": [0.015]})
    s = show_table(est, caption="Share satisfied", formats={"estimate": "percent"})
    assert cells(s) == [["61.0%", "58.0%", "64.0%", "1.5"]]
    assert headers(s) == ["Estimate (%)", "CI low (%)", "CI high (%)", "SE (percentage points)"]
    nps = pd.DataFrame({"estimate": [12.345], "ci_low": [4.0], "ci_high": [20.71]})
    assert cells(show_table(nps, caption="NPS", formats={"estimate": "points"})) == [["12.3", "4.0", "20.7"]]


def test_published_percent_keeps_its_interval_a_share():
    # load()'s figures keep percent as printed (0-100) while every interval is a share (0-1), as analyze_figures gives
    r = cxstats.analyze_figures(cxstats.load("accenture_2016")).dropna(subset=["ci_low"]).head(1)
    shown = cells(show_table(r[["percent", "ci_low", "ci_high"]], caption="Published share and interval"))
    # the published percentage as printed (Accenture printed whole numbers: no decimal added), its interval to 0.1
    assert r.percent.iloc[0] == round(r.percent.iloc[0])
    assert shown == [[f"{r.percent.iloc[0]:.0f}%", f"{100 * r.ci_low.iloc[0]:.1f}%", f"{100 * r.ci_high.iloc[0]:.1f}%"]]
    printed = pd.DataFrame({"percent": [83.0, 45.5], "percent1": [96.0, 7.25]})
    assert cells(show_table(printed, caption="As printed")) == [["83%", "96%"], ["45.5%", "7.25%"]]
    assert headers(show_table(printed, caption="As printed")) == ["Published (%)", "Published 1 (%)"]


def test_formats_and_labels_override():
    t = pd.DataFrame({"segment": [1.0, 2.0, 3.0], "value": [0.123, 0.5, 0.25]})
    s = show_table(t, caption="Segments", formats={"segment": "text", "value": "number:1"},
                   labels={"value": "Mean rating (1-10)"})
    assert cells(s) == [["1", "0.1"], ["2", "0.5"], ["3", "0.2"]]
    assert headers(s) == ["Segment", "Mean rating (1-10)"]
    with pytest.raises(ValueError, match=r"formats\['value'\] must be one of"):
        show_table(t, caption="x", formats={"value": "percentage"})
    with pytest.raises(ValueError, match="formats names columns the table does not have"):
        show_table(t, caption="x", formats={"nope": "text"})


def test_whole_float_columns_show_no_decimals():
    t = pd.DataFrame({"year": [2014.0, 2017.0], "value": [2003.0, 70000000.0]})
    assert cells(show_table(t, caption="x")) == [["2014", "2,003"], ["2017", "70,000,000"]]


def test_caption_is_required():
    with pytest.raises(ValueError, match="caption must say what the table compares"):
        show_table(pd.DataFrame({"n": [1]}), caption=" ")


def test_index_kept_only_when_named_or_asked():
    t = pd.DataFrame({"proportion": [0.1, 0.2]}, index=pd.Index(["north", "south"], name="region"))
    assert headers(show_table(t, caption="x")) == ["region", "Share (%)"]
    assert cells(show_table(t, caption="x")) == [["north", "10.0%"], ["south", "20.0%"]]
    assert headers(show_table(t, caption="x", index=False)) == ["Share (%)"]
    running = pd.DataFrame({"proportion": [0.1, 0.2]}, index=[5, 5])  # duplicate, unnamed: hidden
    assert cells(show_table(running, caption="x")) == [["10.0%"], ["20.0%"]]
    with pytest.raises(ValueError, match="index names levels"):
        show_table(t, caption="x", index="segment")


def test_text_left_numbers_right():
    t = pd.DataFrame({"statement": ["a"], "proportion": [0.5]})
    html = show_table(t, caption="x").to_html()
    css = re.sub(r"\s+", " ", html)
    assert re.search(r"td\.col0 \{ text-align: left", css)
    assert re.search(r"td\.col1 \{ text-align: right", css)


def test_wide_table_is_transposed():
    r = cxstats.compare_proportions(40, 100, 30, 100)  # 19 columns, one row
    s = show_table(r, caption="Share of group 1 against group 2")
    rows = cells(s)
    assert len(rows) == r.shape[1] - 0 and all(len(row) == 2 for row in rows)
    assert ["Difference (percentage points)", "10.0"] in rows
    assert ["p-value", "0.14"] in rows
    assert ["Alternative hypothesis", "two-sided"] in rows
    assert headers(s)[1] == "Value"
    wide = pd.DataFrame({"group": ["a", "b"], **{f"p{i}": [0.1, 0.2] for i in range(1, 10)}})
    s = show_table(wide, caption="x", max_columns=8)
    assert headers(s)[1:] == ["a", "b"] and len(cells(s)) == 9
    with pytest.raises(ValueError, match="too wide to show .* too long to turn"):
        show_table(pd.DataFrame(np.ones((20, 10))), caption="x")


def test_html_and_text_are_the_same_on_every_run():
    """A rebuilt page is identical: no random table id, and a text form without a memory address."""
    t = pd.DataFrame({"group": ["a", "b"], "proportion": [0.25, np.nan], "n": [1200, 30]})
    assert show_table(t, caption="Shares").to_html() == show_table(t, caption="Shares").to_html()
    assert repr(show_table(t, caption="Shares")).splitlines() == [
        "Shares", "Group Share (%) Respondents", "    a     25.0%       1,200", "    b         \u2014          30",
        "\u2014 no value: missing, or not applicable to this row."]
    wide = repr(show_table(cxstats.compare_proportions(40, 100, 30, 100), caption="Two shares")).splitlines()
    assert wide[:3] == ["Two shares", " " * 36 + "Value", "Count 1" + " " * 32 + "40"]


def test_show_figure_alt_text_and_caption(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: shown.append(obj))
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [1, 2])
    show_figure(ax, alt="Two bars: a is 1, b is 2", caption="b is twice a.")
    image, caption = shown
    data, metadata = image._repr_png_()
    assert base64.b64decode(data).startswith(b"\x89PNG") and metadata == {"alt": "Two bars: a is 1, b is 2"}
    assert caption.data == '<p class="cxstats-figure-caption">b is twice a.</p>'
    assert not plt.fignum_exists(fig.number)  # closed, so not shown twice
    for kw in ({"alt": "", "caption": "c"}, {"alt": "a", "caption": "  "}):
        with pytest.raises(ValueError, match=("alt" if not kw["alt"] else "caption") + " must"):
            show_figure(ax, **kw)
    with pytest.raises(ValueError, match="fig_or_ax must be a matplotlib Figure or Axes"):
        show_figure("not a figure", alt="a", caption="c")


def test_display_does_not_import_matplotlib():
    import subprocess
    import sys

    code = "import sys, cxstats.display; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
