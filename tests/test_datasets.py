"""Bundled datasets: every seed figure is present with its real value and base."""

import datetime
import hashlib
import json
import shutil
import time

import pandas as pd
import pytest
import yaml

import cxstats
from cxstats import datasets
from cxstats.datasets import data_dir, read_survey_file

from .conftest import GOOD_SURVEY, ROOT

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
    assert list(table.columns) == ["name", "title", "publisher", "year", "population", "n", "n_figures", "kind"]
    figures = table[table.kind == "figures"]
    assert len(figures) == len(list((data_dir() / "raw" / "surveys").glob("*.yaml")))
    respondents = table[table.kind == "respondents"].set_index("name")
    assert respondents.n.to_dict() == {"copenhagen_housing": 1681, "customer_sat": 1811}
    row = table.set_index("name").loc["accenture_2016"]
    assert (row["n"], row["year"], row["n_figures"]) == (2003, 2016, 13)


def test_load_all_stacks_every_survey():
    """load() with no name is every survey stacked, with the required columns."""
    df = cxstats.load()
    table = cxstats.list_datasets()
    assert set(df.survey) == set(table.name[table.kind == "figures"])
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
                  r"group 'managers', field 'n': must be a whole number from 1 to 1,000,000,000,000, or null"),
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
    # repeated keys, anchors and aliases: refused where they are, by line
    "duplicate_value_key": (_edit("      - {group: managers, value: 80, n: 250}",
                                  "      - group: managers\n        value: 45\n        value: 54\n        n: 250"),
                            r"line 16, column 9: key 'value' repeats the one on line 15"),
    "duplicate_survey_key": (_edit("year: 2024\n", "year: 2024\nyear: 2023\n"),
                             r"line 5, column 1: key 'year' repeats the one on line 4"),
    "alias_in_statement": (_edit("    statement: Like tests", "    statement: *lol"),
                           r"line 11, column 16: anchors \(&\) and aliases \(\*\) are not allowed"),
    "anchor_alone": (_edit("title: Tiny test survey", "title: &t Tiny test survey"),
                     r"line 2, column 8: anchors \(&\) and aliases \(\*\) are not allowed"),
    "merge_key": (_edit("publisher: Test\n", "publisher: Test\n<<: {country: Chile}\n"),
                  r"line 4, column 1: merge keys \(<<\) are not allowed"),
    "two_documents": (lambda text: text + "---\nid: tiny\n", r"line 15, column 1: expected a single document"),
    "impossible_date": (_edit("publisher: Test\n", "publisher: Test\nfieldwork: 2014-13-01\n"),
                        r"a value cannot be read \(month must be in 1..12\); quote text values"),
    "control_character": (_edit("Tiny test survey", "Tiny\x07test survey"),
                          r"line 2: control character U\+0007 is not allowed"),
    # text fields are text
    "title_a_number": (_edit("title: Tiny test survey", "title: 2024"),
                       r"survey, field 'title': must be non-empty text, got 2024; quote it"),
    "country_read_as_false": (_edit("publisher: Test\n", "publisher: Test\ncountry: no\n"),
                              r"survey, field 'country': must be non-empty text, got False"),
    "fieldwork_a_date": (_edit("publisher: Test\n", "publisher: Test\nfieldwork: 2014-08-19\n"),
                         r"survey, field 'fieldwork': must be non-empty text, got datetime.date\(2014, 8, 19\)"),
    "statement_empty": (_edit("    statement: Like tests", "    statement: ''"),
                        r"figure 'likes_tests', field 'statement': must be non-empty text"),
    "figure_id_a_number": (_edit("  - id: likes_tests", "  - id: 2021"),
                           r"figure 1, field 'id': must be non-empty text"),
    "group_a_number": (_edit("group: managers", "group: 2021"),
                       r"figure 'likes_tests', field 'group': must be a non-empty name, got 2021"),
    "value_notes_a_list": (_edit("n: 250}", "n: 250, notes: [a, b]}"),
                           r"group 'managers', field 'notes': must be non-empty text"),
    "caveats_one_string": (_edit("publisher: Test\n", "publisher: Test\ncaveats: only one\n"),
                           r"survey, field 'caveats': must be a list of non-empty texts, got 'only one'"),
    "caveats_with_a_number": (_edit("publisher: Test\n", "publisher: Test\ncaveats: [fine, 12]\n"),
                              r"survey, field 'caveats': must be a list of non-empty texts"),
    # booleans are true or false, never strings or numbers
    "approximate_string": (_edit("n: 250}", "n: 250, approximate: 'true'}"),
                           r"group 'managers', field 'approximate': must be true or false, got 'true'"),
    "approximate_number": (_edit("n: 250}", "n: 250, approximate: 1}"), r"field 'approximate': must be true or false"),
    # numbers in their ranges
    "year_too_early": (_edit("year: 2024", "year: 1850"),
                       rf"survey, field 'year': must be a whole number from 1900 to {datetime.date.today().year}"),
    "year_in_future": (_edit("year: 2024", f"year: {datetime.date.today().year + 1}"), r"survey, field 'year'"),
    "year_as_text": (_edit("year: 2024", "year: '2024'"), r"survey, field 'year': .* got '2024'"),
    "base_true": (_edit("value: 80, n: 250", "value: 80, n: true"), r"group 'managers', field 'n': .* got True"),
    "base_beyond_bound": (_edit("value: 80, n: 250", "value: 80, n: 10000000000000"),
                          r"group 'managers', field 'n': must be a whole number from 1 to 1,000,000,000,000"),
    "value_as_text": (_edit("value: 80", "value: '80'"), r"field 'value': must be a number as printed, got '80'"),
    "value_infinite": (_edit("value: 80", "value: .inf"), r"field 'value': must be a number as printed"),
    "decimals_huge": (_edit("kind: share", "kind: share\n    decimals: 1000000000"),
                      r"figure 'likes_tests', field 'decimals': must be a whole number from 0 to 4"),
    "decimals_negative": (_edit("kind: share", "kind: share\n    decimals: -1"), r"field 'decimals'"),
    "share_with_other_unit": (_edit("kind: share", "kind: share\n    unit: people"),
                              r"field 'unit': a share figure is in percent; got 'people'"),
    "unknown_confidence": (_edit("kind: share", "kind: share\n    confidence: sure"),
                           r"field 'confidence': 'sure' is not one of found, inferred, not_found"),
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


@pytest.mark.parametrize("edit", [
    _edit("year: 2024", "year: 1900"),
    _edit("year: 2024", f"year: {datetime.date.today().year}"),
    _edit("year: 2024", "year: null"),
    _edit("n: 250}", "n: 250, approximate: false}"),
    _edit("kind: share", "kind: share\n    decimals: 4\n    unit: percent"),
    _edit("publisher: Test\n", "publisher: Test\nfieldwork: '2014-08-19'\ncountry: 'no'\ncaveats: null\n"),
    _edit("value: 80, n: 250}", "value: 100, n: 1}"),
], ids=["year_1900", "year_this_year", "year_null", "approximate_false", "four_decimals", "quoted_text",
        "one_respondent"])
def test_edge_of_each_range_loads(survey_dir, edit):
    """Values at the edge of what is valid load, so the range checks refuse only what is outside."""
    df = cxstats.load(raw_dir=survey_dir(edit(GOOD_SURVEY)))
    assert len(df) == 1


def test_billion_laughs_is_refused_at_once(survey_dir):
    """The issue's billion-laughs statement: refused at its first anchor, in well under a second."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    text = GOOD_SURVEY.replace("publisher: Test\n", "publisher: Test\n" + "\n".join(lines) + "\n")
    text = text.replace("    statement: Like tests", "    statement: *a9")
    folder = survey_dir(text)
    start = time.perf_counter()
    with pytest.raises(cxstats.DataError, match=r"tiny.yaml: not valid YAML: line 4, column 5: anchors"):
        cxstats.load(raw_dir=folder)
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize("encoding, title, line", [
    ("latin-1", "Caf\u00e9 test", 2),       # the example
    ("cp1252", "Tiny\u2019s test", 2),       # a Windows curly apostrophe
    ("utf-16", "Tiny test", 1),              # a byte-order mark first
])
def test_file_not_utf8_names_file_and_line(survey_dir, encoding, title, line):
    """A file in another encoding is refused naming the file and the line, never a bare UnicodeDecodeError."""
    folder = survey_dir()
    (folder / "tiny.yaml").write_bytes(GOOD_SURVEY.replace("Tiny test", title).encode(encoding))
    pattern = rf"tiny.yaml: line {line}: byte 0x.. is not UTF-8; save the file as UTF-8"
    with pytest.raises(cxstats.DataError, match=pattern):
        cxstats.load(raw_dir=folder)


def test_utf8_text_loads(survey_dir):
    """The same accented title saved as UTF-8 loads as written."""
    folder = survey_dir(GOOD_SURVEY.replace("Tiny test", "Caf\u00e9 \u00e0 test"))
    assert cxstats.list_datasets(raw_dir=folder).title[0] == "Caf\u00e9 \u00e0 test survey"


def test_oversized_file_is_refused(survey_dir):
    """A file over MAX_FILE_BYTES is refused naming the file, before it is parsed."""
    folder = survey_dir(GOOD_SURVEY + "# padding\n" * (datasets.MAX_FILE_BYTES // 10))
    with pytest.raises(cxstats.DataError, match=r"tiny.yaml: larger than 1,000,000 bytes"):
        cxstats.load(raw_dir=folder)


def test_size_bound_is_inclusive(survey_dir, monkeypatch):
    """A file of exactly MAX_FILE_BYTES loads; one byte more is refused."""
    monkeypatch.setattr(datasets, "MAX_FILE_BYTES", len(GOOD_SURVEY.encode()) + 20)
    folder = survey_dir(GOOD_SURVEY + "#" * 19 + "\n")
    assert len(cxstats.load(raw_dir=folder)) == 1
    folder = survey_dir(GOOD_SURVEY + "#" * 20 + "\n")
    with pytest.raises(cxstats.DataError, match=r"tiny.yaml: larger than"):
        cxstats.load(raw_dir=folder)


def test_deep_nesting_is_a_data_error(survey_dir):
    """Brackets nested far too deep give a DataError naming the file, not a RecursionError."""
    with pytest.raises(cxstats.DataError, match=r"tiny.yaml: not valid YAML"):
        cxstats.load(raw_dir=survey_dir("x: " + "[" * 5_000 + "]" * 5_000 + "\n"))


def test_consistent_published_count_is_used(survey_dir):
    """A published count inside the rounding range narrows the range to that count."""
    df = cxstats.load(raw_dir=survey_dir(GOOD_SURVEY.replace("n: 250}", "n: 250, count: 200}")))
    assert df[["count_low", "count_high"]].iloc[0].tolist() == [200, 200]


def test_every_bundled_file_validates():
    """Each bundled survey file reads cleanly on its own."""
    for path in sorted((data_dir() / "raw" / "surveys").glob("*.yaml")):
        survey, table = read_survey_file(path)
        assert len(table) >= 1 and survey["id"] == path.stem


# --- optional fields: a valid file may leave every one of them out --------------------

OPTIONAL_SURVEY = [f for f in datasets.SURVEY_FIELDS if f not in datasets.SURVEY_REQUIRED]
OPTIONAL_FIGURE = [f for f in datasets.FIGURE_FIELDS if f not in datasets.FIGURE_REQUIRED]
OPTIONAL_VALUE = [f for f in datasets.VALUE_FIELDS if f not in datasets.VALUE_REQUIRED]
# notebooks that read the bundled surveys (07 reads only the required `statement` and is too slow to run here)
SURVEY_NOTEBOOKS = ["00_start_here", "01_accenture_human_touch", "02_calabrio_perception_gap",
                    "03_gladly_expectations", "04_cost_of_poor_service", "05_pay_more_for_service"]


def _strip_optional(survey: dict) -> dict:
    """The survey without every optional field whose absence keeps it valid."""
    out = {k: v for k, v in survey.items() if k not in OPTIONAL_SURVEY or (k == "n_note" and survey["n"] is None)}
    out["figures"] = []
    for figure in survey["figures"]:
        keep = {"unit"} if figure["kind"] == "count" else set()
        keep |= {"decimals"} if figure.get("decimals", 0) else set()
        fig = {k: v for k, v in figure.items() if k not in OPTIONAL_FIGURE or k in keep}
        fig["values"] = [{k: v for k, v in entry.items() if k not in OPTIONAL_VALUE} for entry in figure["values"]]
        out["figures"].append(fig)
    return out


@pytest.fixture(scope="module")
def bare_data_dir(tmp_path_factory):
    """A data folder whose raw/surveys holds every bundled survey with its optional fields left out."""
    root = tmp_path_factory.mktemp("bare_data")
    folder = root / "raw" / "surveys"
    folder.mkdir(parents=True)
    for path in sorted((data_dir() / "raw" / "surveys").glob("*.yaml")):
        survey = _strip_optional(yaml.safe_load(path.read_text(encoding="utf-8")))
        (folder / path.name).write_text(yaml.safe_dump(survey, sort_keys=False, allow_unicode=True), encoding="utf-8")
    shutil.copytree(data_dir() / "raw" / "respondents", root / "raw" / "respondents")  # listed beside the surveys
    return root


def test_bare_files_leave_out_every_optional_field(bare_data_dir):
    """The stripped copy really lacks the optional fields (so the tests below test their absence)."""
    text = (bare_data_dir / "raw" / "surveys" / "calabrio_2022.yaml").read_text()
    for field in ["caveats", "country", "method", "n_note", "wording", "confidence", "approximate", "notes"]:
        assert f"{field}:" not in text, field


def test_optional_fields_left_out_load_the_same_figures(bare_data_dir):
    """Leaving out optional fields changes no value or base, and every survey field is still a key."""
    bare = cxstats.load(raw_dir=bare_data_dir / "raw" / "surveys")
    full = cxstats.load()
    key = ["survey", "figure", "group", "value", "n", "kind", "statement"]
    pd.testing.assert_frame_equal(bare[key], full[key])
    assert bare.wording.isna().all() and bare.confidence.isna().all() and not bare.approximate.any()
    for name in cxstats.list_datasets(raw_dir=bare_data_dir / "raw" / "surveys").name:
        info = cxstats.survey_info(name, raw_dir=bare_data_dir / "raw" / "surveys")
        assert set(info) == set(datasets.SURVEY_FIELDS) - {"figures"}
        assert info["caveats"] == [] and info["country"] is None and info["method"] is None


def _run_notebook_code(name: str) -> None:
    """Run a notebook's code cells in this process, in order, as the kernel would."""
    import matplotlib.pyplot as plt

    cells = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    namespace = {}
    try:
        for i, cell in enumerate(c for c in cells if c["cell_type"] == "code"):
            exec(compile("".join(cell["source"]), f"{name}.ipynb code cell {i}", "exec"), namespace)
    finally:
        plt.close("all")


@pytest.mark.parametrize("name", SURVEY_NOTEBOOKS)
def test_notebooks_run_on_surveys_without_optional_fields(bare_data_dir, monkeypatch, name):
    """Each notebook reading the bundled surveys runs when every optional field is left out of every file."""
    monkeypatch.setenv("CXSTATS_DATA_DIR", str(bare_data_dir))
    assert cxstats.datasets.data_dir() == bare_data_dir
    _run_notebook_code(name)


def test_data_dir_follows_the_installed_package(monkeypatch):
    """Without CXSTATS_DATA_DIR the data is the package's own: cxstats/_data in a wheel, else the checkout."""
    monkeypatch.delenv("CXSTATS_DATA_DIR", raising=False)
    shipped = ROOT / "cxstats" / "_data"
    expected = shipped if shipped.is_dir() else ROOT / "data"
    assert data_dir() == expected
    assert (data_dir() / "raw" / "surveys" / "calabrio_2022.yaml").is_file()


def test_missing_data_names_both_places(monkeypatch, tmp_path):
    """A package with no data beside it says where it looked and how to fix it."""
    monkeypatch.delenv("CXSTATS_DATA_DIR", raising=False)
    monkeypatch.setattr(datasets, "_package_data", lambda: tmp_path / "site" / "cxstats" / "_data")
    monkeypatch.setattr(datasets, "_checkout_data", lambda: tmp_path / "data")
    with pytest.raises(cxstats.DataError, match=r"no bundled data in .*site/cxstats/_data or .*/data; reinstall"):
        data_dir()
    (tmp_path / "data" / "raw").mkdir(parents=True)
    assert data_dir() == tmp_path / "data"
    (tmp_path / "site" / "cxstats" / "_data" / "raw").mkdir(parents=True)
    assert data_dir() == tmp_path / "site" / "cxstats" / "_data"


@pytest.mark.parametrize("name", ["tiny.yml", "tiny.YAML"])
def test_survey_file_with_other_suffix_is_not_skipped(survey_dir, name):
    """A survey saved as .yml or .YAML is an error naming it, not a survey silently missing from load()."""
    folder = survey_dir()
    (folder / name).write_text(GOOD_SURVEY.replace("id: tiny", "id: other"), encoding="utf-8")
    with pytest.raises(cxstats.DataError, match=rf"{name}: survey files are read only when named \*.yaml"):
        cxstats.list_datasets(raw_dir=folder)


# --- numbers: YAML 1.2 core schema, never YAML 1.1 octal, base 60, hex or underscores -------------

@pytest.mark.parametrize("old, new, pattern", [
    ("value: 80, n: 250", "value: 80, n: 0x1F4", r"group 'managers', field 'n': .* got '0x1F4'"),
    ("value: 80, n: 250", "value: 80, n: 0o372", r"group 'managers', field 'n': .* got '0o372'"),
    ("value: 80, n: 250", "value: 80, n: 1_000", r"group 'managers', field 'n': .* got '1_000'"),
    ("value: 80, n: 250", "value: 80, n: 4:10", r"group 'managers', field 'n': .* got '4:10'"),
    ("n: 250\nsource", "n: 0x1F4\nsource", r"survey, field 'n': .* got '0x1F4'"),
    ("value: 80", "value: 1:20", r"group 'managers', field 'value': must be a number as printed, got '1:20'"),
    ("value: 80", "value: 0x50", r"group 'managers', field 'value': must be a number as printed, got '0x50'"),
    ("value: 80", "value: 8_0", r"group 'managers', field 'value': must be a number as printed, got '8_0'"),
    ("value: 80", "value: 80.0_0", r"field 'value': must be a number as printed, got '80.0_0'"),
    ("value: 80", "value: !!int 0x50", r"line 14, column .*: '0x50' is not a decimal whole number"),
    ("value: 80", "value: !!float 8_0.5", r"line 14, column .*: '8_0.5' is not a decimal number"),
], ids=["n_hex", "n_octal_0o", "n_underscore", "n_base60", "survey_n_hex", "value_base60", "value_hex",
        "value_underscore", "float_underscore", "tagged_int_hex", "tagged_float_underscore"])
def test_yaml_1_1_number_forms_are_text_and_refused(survey_dir, old, new, pattern):
    """0x.., 0o.., 1:20 and 1_000 are not numbers (YAML 1.2): the field check refuses them, naming file and field."""
    with pytest.raises(cxstats.DataError, match=pattern) as info:
        cxstats.load(raw_dir=survey_dir(GOOD_SURVEY.replace(old, new)))
    assert "tiny.yaml" in str(info.value)


@pytest.mark.parametrize("old, new, column, expected", [
    ("value: 80, n: 250", "value: 80, n: 0250", "n", 250),  # decimal, not octal 168
    ("n: 250\nsource", "n: 0250\nsource", None, 250),  # the survey's n
    ("value: 80, n: 250", "value: 080, n: 250", "value", 80.0),  # 080 is not even valid octal in YAML 1.1
    ("value: 80, n: 250", "value: 010, n: 10", "value", 10.0),  # not 8
    ("value: 80", "value: 80.", "value", 80.0),
    ("value: 80", "value: 8e1", "value", 80.0),  # text in YAML 1.1, a float in YAML 1.2
    ("value: 80", "value: +80", "value", 80.0),
    ("value: 80", "value: .8e+2", "value", 80.0),
], ids=["n_leading_zero", "survey_n_leading_zero", "value_080", "value_010", "trailing_dot", "exponent",
        "plus_sign", "leading_dot"])
def test_yaml_1_2_numbers_are_decimal(survey_dir, old, new, column, expected):
    """A leading zero is decimal (0250 is 250), and YAML 1.2 float forms are read as numbers."""
    text = GOOD_SURVEY.replace(old, new)
    if new.startswith("n: "):
        survey, _ = read_survey_file(survey_dir(text) / "tiny.yaml")
        assert survey["n"] == expected and type(survey["n"]) is int
    else:
        df = cxstats.load(raw_dir=survey_dir(text))
        assert df[column].iloc[0] == expected


def test_strict_loader_leaves_safe_loader_alone():
    """The YAML 1.2 number rules live on the loader class: yaml.SafeLoader keeps its own (YAML 1.1) rules."""
    assert yaml.safe_load("n: 0250") == {"n": 168}
    assert yaml.safe_load("v: 1:20") == {"v": 80}
    assert yaml.load("{a: 0250, b: 1:20, c: 0x1F4, d: 1_000, e: 2.5, f: -3, g: .inf}",
                     Loader=datasets._StrictLoader) == {"a": 250, "b": "1:20", "c": "0x1F4", "d": "1_000", "e": 2.5,
                                                        "f": -3, "g": float("inf")}


def test_bundled_files_read_the_same_under_yaml_1_1_and_1_2():
    """Every bundled survey file gives the same data with the YAML 1.2 number rules as with PyYAML's own."""
    for path in datasets.survey_files():
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=datasets._StrictLoader) == yaml.safe_load(text), path.name
