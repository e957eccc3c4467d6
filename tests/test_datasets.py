"""Bundled datasets: every seed figure is present with its real value and base."""

import hashlib

import pandas as pd
import pytest

import cxstats
from cxstats.datasets import data_dir, read_survey_file

from .conftest import GOOD_SURVEY

# Every figure of shared/seeds/cx_figures_from_seed_articles.md:
# (survey, figure, group) -> value as printed, base n (None = unknown).
SEED_FIGURES = {
    # 1. Accenture Global Consumer Pulse, US cut (n = 2,003)
    ("accenture_2016", "prefer_human_service", "consumers"): (83, 2003),
    ("accenture_2016", "switched_poor_service", "consumers"): (52, 2003),
    ("accenture_2016", "pay_more_for_service", "consumers"): (45, 2003),
    ("accenture_2016", "store_best_channel", "consumers"): (65, 2003),
    ("accenture_2016", "face_to_face_upgrades", "consumers"): (46, 2003),
    ("accenture_2016", "frustrated_hard_business", "consumers"): (81, 2003),
    ("accenture_2016", "expect_easier", "consumers"): (73, 2003),
    ("accenture_2016", "expect_faster", "consumers"): (61, 2003),
    ("accenture_2016", "social_inadequate", "consumers"): (44, 2003),
    ("accenture_2016", "will_not_return", "switchers"): (68, None),
    ("accenture_2016", "could_have_retained", "switchers"): (80, None),
    ("accenture_2016", "live_service_would_retain", "retainable_switchers"): (83, None),
    # 2. business2community 2017 column: one file per original report
    ("microsoft_multichannel_2015", "service_matters_for_loyalty", "consumers"): (97, None),
    ("microsoft_2017", "agent_knows_history", "consumers"): (72, 5000),
    ("dimension_data_2017", "no_single_customer_view", "contact_centres"): (79, None),
    ("unattributed_2017_column", "live_chat_growth", "contact_channels"): (87, None),
    ("microsoft_2017", "favour_responsive_brands", "consumers"): (77, 5000),
    # 3. Calabrio 2022: 250 managers, 250 consumers
    ("calabrio_2022", "meets_expectations", "managers"): (80, 250),
    ("calabrio_2022", "meets_expectations", "consumers"): (45, 250),
    ("calabrio_2022", "agents_show_empathy", "managers"): (78, 250),
    ("calabrio_2022", "agents_show_empathy", "consumers"): (58, 250),
    ("calabrio_2022", "fast_response", "managers"): (79, 250),
    ("calabrio_2022", "fast_response", "consumers"): (45, 250),
    # 4. Persian blog on the cost of poor service
    ("amex_2014", "always_tell_good", "consumers"): (46, 1000),
    ("amex_2014", "always_share_bad", "consumers"): (60, 1000),
    ("amex_2014", "people_told", "told_bad_experience"): (21, None),
    ("amex_2014", "people_told", "told_good_experience"): (8, None),
    ("rightnow_2009", "stopped_after_bad_experience", "consumers"): (86, None),
    ("unattributed_blog", "contact_once_before_giving_up", "customers"): (51, None),
    ("zendesk_2013", "bad_experience_reason", "had_bad_experience"): (72, None),
    ("zendesk_2013", "good_experience_recommend", "had_good_experience"): (78, None),
    ("bain_2005", "superior_experience", "companies"): (80, 362),
    ("bain_2005", "superior_experience", "customers"): (8, None),
    ("weibo_2014", "posts_analysed", "weibo_posts"): (70_000_000, None),
    # 5. Gladly 2021 (base not published)
    ("gladly_2021", "love_brands_for_service", "consumers"): (63, None),
    ("gladly_2021", "recommend_for_service", "consumers"): (62, None),
    ("gladly_2021", "stop_after_two_bad", "consumers"): (45, None),
    ("gladly_2021", "spend_more_online_service", "consumers"): (83, None),
    ("gladly_2021", "service_exceeds_expectations", "consumers"): (19, None),
    ("gladly_2021", "service_below_expectations", "consumers"): (81, None),
    ("gladly_2021", "chatbot_useful_no_person", "consumers"): (53, None),
    ("gladly_2021", "chatbot_blocks_person", "consumers"): (43, None),
    ("gladly_2021", "chat_window_helpful", "consumers"): (81, None),
}


@pytest.fixture(scope="module")
def figures():
    return cxstats.load().set_index(["survey", "figure", "group"])


@pytest.mark.parametrize("key", sorted(SEED_FIGURES), ids="/".join)
def test_seed_figure_present_with_value_and_base(figures, key):
    """Each seed figure loads with the printed value and the base the seeds give."""
    value, n = SEED_FIGURES[key]
    row = figures.loc[key]
    assert row["value"] == value
    assert (pd.isna(row["n"]) and n is None) or row["n"] == n


def test_calabrio_three_pairs_of_250():
    """calabrio_2022 holds three manager/consumer pairs, each group with n = 250."""
    df = cxstats.load("calabrio_2022")
    assert sorted(df.figure.unique()) == ["agents_show_empathy", "fast_response", "meets_expectations"]
    assert (df.groupby("figure").group.apply(sorted) == [["consumers", "managers"]] * 3).all()
    assert (df.n == 250).all()


def test_count_range_of_calabrio_consumers():
    """45% of 250 consumers is stored as the count range 112 to 113."""
    df = cxstats.load("calabrio_2022").set_index(["figure", "group"])
    assert df.loc[("meets_expectations", "consumers"), ["count_low", "count_high"]].tolist() == [112, 113]
    assert df.loc[("meets_expectations", "consumers"), "approximate"]


def test_non_shares_kept_and_flagged():
    """Growth rates and counts are loaded, flagged by kind, and carry no count range or percent."""
    df = cxstats.load()
    others = df[df.kind != "share"]
    assert set(others.kind) == {"growth", "count"}
    assert others.count_low.isna().all()
    assert set(df.loc[df.kind == "count", "unit"]) == {"people", "posts"}


def test_unknown_base_has_no_count_range():
    """A figure whose base is unknown has null n and null counts, never an invented base."""
    df = cxstats.load("gladly_2021")
    assert df.n.isna().all() and df.count_low.isna().all() and df.count_high.isna().all()


def test_paired_answers_share_a_question():
    """Gladly's 19%/81% are two answers of one question and are marked as such."""
    df = cxstats.load("gladly_2021").set_index("figure")
    pair = df.loc[["service_exceeds_expectations", "service_below_expectations"]]
    assert pair.question.nunique() == 1 and pair.value.sum() == 100


def test_list_datasets_columns_and_counts():
    """list_datasets gives one row per file with the documented columns."""
    table = cxstats.list_datasets()
    assert list(table.columns) == ["name", "title", "publisher", "year", "population", "n", "n_figures"]
    assert len(table) == len(list((data_dir() / "raw" / "surveys").glob("*.yaml")))
    row = table.set_index("name").loc["accenture_2016"]
    assert (row["n"], row["year"], row["n_figures"]) == (2003, 2016, 13)


def test_load_all_stacks_every_survey():
    """load() with no name is every survey stacked, with the required columns."""
    df = cxstats.load()
    assert set(df.survey) == set(cxstats.list_datasets().name)
    for col in ["survey", "figure", "group", "statement", "kind", "percent", "n",
                "count_low", "count_high", "year", "source"]:
        assert col in df.columns
    assert str(df.n.dtype) == "Int64"


def test_unknown_dataset_lists_choices():
    """An unknown name raises ValueError listing the available datasets."""
    with pytest.raises(ValueError, match="available: accenture_2016"):
        cxstats.load("acenture")


def test_provenance_recorded():
    """Survey-level provenance (method, caveats, source, quoting article) is kept."""
    info = cxstats.survey_info("amex_2014")
    assert info["fieldwork"] == "2014-08-19 to 2014-09-02"
    assert "Ebiquity" in info["method"] and info["caveats"]


def test_processed_figures_csv_is_current(tmp_path):
    """data/processed/figures.csv equals a fresh rebuild from data/raw (run `make data`)."""
    from cxstats.datasets import build_processed, processed_path

    fresh = build_processed(tmp_path / "figures.csv")
    assert processed_path().read_bytes() == fresh.read_bytes(), "run `make data` to rebuild it"


def test_loading_never_writes_raw(tmp_path):
    """Loading and rebuilding leave every file in data/raw byte-for-byte unchanged."""
    from cxstats.datasets import build_processed

    def digest():
        return {p: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in (data_dir() / "raw").rglob("*") if p.is_file()}

    before = digest()
    cxstats.load()
    build_processed(tmp_path / "x.csv")
    assert digest() == before


# --- malformed files: each raises DataError naming file, figure and field -------------

def _edit(old, new):
    return lambda text: text.replace(old, new)


BAD_CASES = {
    "yaml_syntax": (lambda text: "id: tiny\nfigures: [\n", r"tiny.yaml: not valid YAML"),
    "missing_survey_field": (_edit("publisher: Test\n", ""), r"survey, field 'publisher': required"),
    "missing_figure_field": (_edit("    statement: Like tests\n", ""),
                             r"figure 'likes_tests', field 'statement': required"),
    "percent_over_100": (_edit("value: 80", "value: 180"),
                         r"figure 'likes_tests', group 'managers', field 'value': a share must be .*0 to 100"),
    "percent_negative": (_edit("value: 80", "value: -5"), r"field 'value'.*0 to 100"),
    "base_zero": (_edit("value: 80, n: 250", "value: 80, n: 0"),
                  r"group 'managers', field 'n': base must be a whole number of at least 1"),
    "base_fractional": (_edit("value: 80, n: 250", "value: 80, n: 2.5"), r"field 'n'"),
    "survey_base_zero": (_edit("n: 250\nsource", "n: 0\nsource"), r"survey, field 'n'"),
    "figure_base_over_total": (_edit("n: 250\nsource", "n: 100\nsource"),
                               r"field 'n': figure base 250 exceeds the survey base 100"),
    "duplicate_id": (lambda text: text + text[text.index("  - id"):],
                     r"figure 'likes_tests', field 'id': duplicate"),
    "unknown_kind": (_edit("kind: share", "kind: ratio"),
                     r"field 'kind': 'ratio' is not one of share, growth, count"),
    "unknown_field": (_edit("kind: share", "kind: share\n    colour: red"), r"field 'colour': unknown field"),
    "count_inconsistent": (_edit("n: 250}", "n: 250, count: 190}"),
                           r"field 'count': 190 is inconsistent with 80% of 250; valid counts are 199 to 201"),
    "grim_impossible": (_edit("value: 80, n: 250", "value: 50, n: 3"),
                        r"field 'value': 50% of n=3 matches no whole count"),
    "id_not_file_name": (_edit("id: tiny", "id: other"), r"field 'id': 'other' must equal"),
    "unknown_base_without_note": (_edit("n: 250\nsource", "n: null\nsource"), r"field 'n_note'"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_malformed_file_raises_data_error(survey_dir, case):
    """A malformed survey file raises DataError naming the file, figure and field."""
    edit, pattern = BAD_CASES[case]
    folder = survey_dir(edit(GOOD_SURVEY))
    with pytest.raises(cxstats.DataError, match=pattern) as info:
        cxstats.load(raw_dir=folder)
    assert "tiny.yaml" in str(info.value)


def test_good_file_loads(survey_dir):
    """The unedited fixture file loads, so the bad cases fail for their edit alone."""
    df = cxstats.load(raw_dir=survey_dir())
    assert df[["count_low", "count_high"]].iloc[0].tolist() == [199, 201]


def test_consistent_published_count_is_used(survey_dir):
    """A published count inside the rounding range narrows the range to that count."""
    df = cxstats.load(raw_dir=survey_dir(GOOD_SURVEY.replace("n: 250}", "n: 250, count: 200}")))
    assert df[["count_low", "count_high"]].iloc[0].tolist() == [200, 200]


def test_every_bundled_file_validates():
    """Each bundled survey file reads cleanly on its own."""
    for path in sorted((data_dir() / "raw" / "surveys").glob("*.yaml")):
        survey, table = read_survey_file(path)
        assert len(table) >= 1 and survey["id"] == path.stem
