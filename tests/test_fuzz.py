"""Bad inputs for every public function and the file readers: each gives a clear error naming the culprit (a
``ValueError`` whose message names the argument, column, row, element or file) or the right value.

One row per input in ``CASES``: the function, what is wrong, a call, and either the pattern its error must match
or a check of the value it must return (with the reference in the comment). ``test_every_public_function_is_fed``
keeps the table complete as the package grows.
"""

from __future__ import annotations

import inspect
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import cxstats


@dataclass(frozen=True)
class Case:
    function: str
    fault: str
    call: Any
    error: str | None = None  # a regex the ValueError's message must match
    check: Any = None  # or a predicate on the returned value


def err(function, fault, call, pattern):
    return Case(function, fault, call, error=pattern)


def ok(function, fault, call, check):
    return Case(function, fault, call, check=check)


DF = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "q": ["yes", "no", "yes", "no", "yes", "no"], "g": list("aabbcc"),
                   "w": [1.0, 2, 1, 2, 1, 2], "ltr": [10, 9, 3, 0, 7, 8], "s": list("xxyyxy")})


def with_(**columns):
    return DF.assign(**columns)


SAT = cxstats.load_responses("customer_sat")
HOUSING = cxstats.load_responses("copenhagen_housing", expand=False)
ORTHOGONAL = pd.DataFrame({"x1": [1, -1, 1, -1, 1, -1, 1, -1], "x2": [1, 1, -1, -1, 1, 1, -1, -1],
                           "e": [0.5, 0.5, 0.5, 0.5, -0.5, -0.5, -0.5, -0.5]}).eval("y = x1 + x2 + e")
STUDY = cxstats.simulate_price_study(n=300, seed=1)
VW = ["too_cheap", "cheap", "expensive", "too_expensive"]
LONG = pd.read_csv(Path(__file__).parents[1] / "data" / "raw" / "electricity" / "electricity.csv.gz").query("id <= 20")
# 40 choice sets of two alternatives; the cheaper one has the higher quality and is always chosen
SEPARATED = pd.DataFrame({"set": np.repeat(np.arange(40), 2), "alt": [0, 1] * 40, "choice": [1, 0] * 40,
                          "price": np.ravel([[10 + i % 5, 20 + i % 7] for i in range(40)]),
                          "quality": np.ravel([[3 + i % 2, 1 + i % 2] for i in range(40)])})

_FOLDER = Path(tempfile.mkdtemp(prefix="cxstats-fuzz-"))


def text_file(name, text, encoding="utf-8"):
    """A small file of bad (or tricky) survey data, written where the test can read it."""
    path = _FOLDER / name
    path.write_bytes(text.encode(encoding))
    return path


def sav_file(name, frame, **meta):
    import pyreadstat

    path = _FOLDER / name
    pyreadstat.write_sav(frame, str(path), **meta)
    return path


CASES = [
    # ---- respondent estimates: columns, weights, answers, options
    err("weighted_mean", "unknown column", lambda: cxstats.weighted_mean(DF, "nope"),
        r"column\(s\) \['nope'\] not in the data; available"),
    err("weighted_mean", "column not a name", lambda: cxstats.weighted_mean(DF, 3), "column must be a column name"),
    err("weighted_mean", "text answers without a scale", lambda: cxstats.weighted_mean(DF, "q"),
        "column 'q' must be numeric.*give scale="),
    err("weighted_mean", "unknown by", lambda: cxstats.weighted_mean(DF, "y", by="zz"), r"\['zz'\] not in the data"),
    err("weighted_mean", "negative weights", lambda: cxstats.weighted_mean(with_(w=-DF.w), "y", weight="w"),
        r"weight column 'w' has 6 negative value\(s\), e.g. rows \[0, 1, 2, 3, 4\]; weights must be 0 or more"),
    err("weighted_mean", "text weights", lambda: cxstats.weighted_mean(DF, "y", weight="q"),
        "weight column 'q' must be numeric"),
    err("weighted_mean", "infinite answer", lambda: cxstats.weighted_mean(with_(y=[1, np.inf, 3, 4, 5, 6]), "y"),
        r"column 'y' has 1 infinite value\(s\), e.g. rows \[1\]"),
    err("weighted_mean", "conf_level as a percent", lambda: cxstats.weighted_mean(DF, "y", conf_level=95),
        "conf_level must be a number strictly between 0 and 1, got 95"),
    err("weighted_mean", "no rows", lambda: cxstats.weighted_mean(DF.iloc[:0], "y"), "the data has no rows"),
    err("weighted_mean", "a list, not a frame", lambda: cxstats.weighted_mean([1, 2, 3]),
        "data must be a DataFrame.*not a list"),
    err("weighted_mean", "None as data", lambda: cxstats.weighted_mean(None, "y"), "got NoneType"),
    err("weighted_mean", "one respondent", lambda: cxstats.weighted_mean(DF.iloc[:1], "y"),
        "single PSU.*at least two"),
    # every answer missing: n 0, no estimate, the six blanks counted (closed form)
    ok("weighted_mean", "every answer missing", lambda: cxstats.weighted_mean(with_(y=np.nan), "y"),
       lambda out: out.n[0] == 0 and out.n_missing[0] == 6 and np.isnan(out.estimate[0])
       and out.note[0].startswith("empty")),
    # all answers equal: mean exactly the answer, standard error exactly 0
    ok("weighted_mean", "constant answers", lambda: cxstats.weighted_mean(with_(y=0.1), "y", weight="w"),
       lambda out: out.estimate[0] == 0.1 and out.se[0] == 0),
    err("weighted_total", "unknown level", lambda: cxstats.weighted_total(DF, "q", level="Yes"),
        r"level='Yes' matches no answer of column 'q'; its answers are \['no', 'yes'\]"),
    err("weighted_proportion", "level not in the data", lambda: cxstats.weighted_proportion(DF, "q", level="maybe"),
        r"level='maybe' matches no answer of column 'q'; its answers are \['no', 'yes'\]"),
    err("weighted_proportion", "unknown method", lambda: cxstats.weighted_proportion(DF, "q", level="yes",
                                                                                      method="exact"),
        "method='exact' is not valid; choose one of: 'logit'"),
    err("weighted_proportion", "numbers that are not 0/1", lambda: cxstats.weighted_proportion(DF, "y"),
        "column 'y' must be 0/1 or boolean without level="),
    # a missing group: its 2 rows are a group of their own (weighted share 2/3 of yes among w = 1, 2 -> 1/3)
    ok("weighted_proportion", "missing group values",
       lambda: cxstats.weighted_proportion(with_(g=["a", "a", None, None, "c", "c"]), "q", level="yes", by="g",
                                           weight="w"),
       lambda out: out.n.sum() == 6 and pd.isna(out.g.iloc[-1]) and np.isclose(out.estimate.iloc[-1], 1 / 3)),
    err("nps", "text answers", lambda: cxstats.nps(DF, "q"), r"answers \['no', 'yes'\] that are not on the scale"),
    err("nps", "an 11", lambda: cxstats.nps(with_(ltr=[11, 9, 3, 0, 7, 8]), "ltr"), r"answers \[11\]"),
    err("nps", "a negative answer", lambda: cxstats.nps(with_(ltr=[-1, 9, 3, 0, 7, 8]), "ltr"), r"answers \[-1\]"),
    err("nps", "a half point", lambda: cxstats.nps(with_(ltr=[9.5, 9, 3, 0, 7, 8]), "ltr"), r"answers \[9.5\]"),
    err("nps", "booleans", lambda: cxstats.nps(with_(ltr=[True, False] * 3), "ltr"),
        r"column 'ltr' has answers \[False, True\] that are not on the scale"),
    # the example: 10, 9, 3, 0, 7 has 2 promoters and 2 detractors of 5: NPS 0
    ok("nps", "SPSS codes labelled only at the ends",
       lambda: cxstats.nps(pd.Series([10, 9, 3, 0, 7], name="ltr")), lambda out: out.estimate[0] == 0),
    err("top_box", "no scale for a rating", lambda: cxstats.top_box(DF, "ltr"), "give scale= for 'ltr'"),
    err("top_box", "k of 0", lambda: cxstats.top_box(DF, "ltr", k=0, scale=range(11)),
        "k must be a whole number from 1 to 10 .points in the box., got 0"),
    err("top_box", "k beyond the scale", lambda: cxstats.top_box(DF, "ltr", k=12, scale=range(11)),
        "k must be a whole number from 1 to 10 .points in the box., got 12"),
    err("bottom_box", "answers off the scale", lambda: cxstats.bottom_box(DF, "ltr", scale=range(1, 6)),
        r"answers \[0, 7, 8, 9, 10\].*not on the scale"),
    err("compare_domains", "no groups", lambda: cxstats.compare_domains(DF, "y"), "give by="),
    err("compare_domains", "unknown measure", lambda: cxstats.compare_domains(DF, "y", by="g", measure="median"),
        "measure='median' is not valid"),
    err("compare_domains", "unknown adjustment", lambda: cxstats.compare_domains(DF, "y", by="g", adjust="bonf"),
        "adjust='bonf' is not valid"),
    # an empty group is listed with a reason and not tested
    ok("compare_domains", "a group with only zero weights",
       lambda: cxstats.compare_domains(with_(w=[1, 2, 0, 0, 1, 2]), "y", by="g", weight="w"),
       lambda out: len(out) == 3 and out.p_value.isna().sum() == 2 and out.note[0].startswith("not tested")),
    err("compare_nps", "one sample", lambda: cxstats.compare_nps({"a": DF}, "ltr"), "at least two independent"),
    err("compare_nps", "by with samples", lambda: cxstats.compare_nps({"a": DF, "b": DF}, "ltr", by="g"), "drop by="),
    err("crosstab", "the same variable twice", lambda: cxstats.crosstab(DF, "q", "q"), "both 'q'"),
    err("crosstab", "one banner column", lambda: cxstats.crosstab(with_(s="x"), "q", "s"),
        "at least 2 answers of 'q' and 2 of 's'; got 2 and 1"),
    err("crosstab", "two banner variables", lambda: cxstats.crosstab(DF, "q", ["s", "g"]), "one column name"),
    err("multiple_response", "an option column with two answers", lambda: cxstats.multiple_response(DF, ["s", "y"]),
        r"column 's' is not a select-all option.*\['x', 'y'\]"),
    err("multiple_response", "one option column", lambda: cxstats.multiple_response(DF, ["s"]),
        "two or more different option columns"),
    # a zero-weight banner column: no overall test (R's svychisq gives NaN), the column named
    ok("crosstab", "a banner column with zero weights",
       lambda: cxstats.crosstab(with_(w=[1, 1, 0, 0, 1, 1]), "q", "g", weight="w"),
       lambda res: np.isnan(res.test.p_value[0]) and "banner column 'b'" in res.test.method[0]),
    err("rake", "a category without a target", lambda: cxstats.rake(DF, {"g": {"a": 0.5, "b": 0.5}}),
        r"column 'g' has categories \['c'\] with no target"),
    err("rake", "shares that do not sum to 1", lambda: cxstats.rake(DF, {"g": {"a": 0.5, "b": 0.5, "c": 0.5}}),
        "look like shares .* sum to 1.5"),
    err("rake", "a target without respondents",
        lambda: cxstats.rake(DF, {"g": {"a": 0.3, "b": 0.3, "c": 0.3, "d": 0.1}}),
        r"target categories \['d'\] of 'g' have no respondents"),
    err("rake", "negative target", lambda: cxstats.rake(DF, {"g": {"a": -0.2, "b": 0.6, "c": 0.6}}),
        "targets for 'g' must be non-negative"),
    err("rake", "all-zero targets", lambda: cxstats.rake(DF, {"g": {"a": 0, "b": 0, "c": 0}}), "not all zero"),
    err("rake", "targets not a dict", lambda: cxstats.rake(DF, [1, 2]), "targets must be a dict"),
    err("rake", "missing raking value", lambda: cxstats.rake(with_(g=["a", None, "b", "b", "c", "c"]),
                                                             {"g": {"a": 0.3, "b": 0.3, "c": 0.4}}),
        r"raking column 'g' has 1 missing value"),
    err("survey_design", "unknown strata", lambda: cxstats.survey_design(DF, strata="zz"), r"\['zz'\] not in"),
    err("survey_design", "unknown lonely-PSU rule", lambda: cxstats.survey_design(DF, strata="g", cluster="s",
                                                                                  lonely_psu="bogus"),
        "lonely_psu='bogus' is not valid"),
    err("survey_design", "PSU in two strata", lambda: cxstats.survey_design(DF, strata="g", cluster="s"),
        r"PSU 'x' of 's' appears in strata \['a', 'c'\]; if PSU ids are numbered within each stratum, pass nest=True"),
    err("profile", "unknown segment column", lambda: cxstats.profile(DF, "zz"), r"\['zz'\] not in the data"),
    err("profile", "a single segment", lambda: cxstats.profile(with_(g="a"), "g"),
        r"segment column 'g' has 1 segment\(s\) \['a'\]"),
    err("describe_segments", "not a profile table", lambda: cxstats.describe_segments(pd.DataFrame({"a": [1]})),
        "table must be the DataFrame from cxstats.profile"),
    err("describe_segments", "top of 0", lambda: cxstats.describe_segments(cxstats.profile(DF, "g"), top=0),
        "top must be a whole number of at least 1"),
    # ---- counts layer
    err("proportion_ci", "negative count", lambda: cxstats.proportion_ci(-1, 10),
        "count must not be negative; element 0 is -1"),
    err("proportion_ci", "base of 0", lambda: cxstats.proportion_ci(0, 0), "nobs must be positive; element 0 is 0"),
    err("proportion_ci", "text count", lambda: cxstats.proportion_ci("a", 10), "count must be numeric"),
    err("proportion_ci", "design effect of 0", lambda: cxstats.proportion_ci(1, 10, deff=0),
        "deff must be positive; element 0 is 0"),
    err("proportion_ci", "missing design effect", lambda: cxstats.proportion_ci(1, 10, deff=np.nan),
        r"deff must be finite; element 0 is nan \(1 non-finite"),
    err("proportion_ci", "count above the base", lambda: cxstats.proportion_ci(11, 10), "must not exceed nobs"),
    # the example: Wilson at 0 of 3 and 30 of 30 ends exactly at 0 and 1
    ok("proportion_ci", "all or nothing", lambda: cxstats.proportion_ci([0, 30], [3, 30]),
       lambda out: out.ci_low[0] == 0 and out.ci_high[1] == 1),
    err("test_proportion", "null value of 1.5", lambda: cxstats.test_proportion(1, 10, value=1.5),
        "value must be strictly between 0 and 1; element 0 is 1.5"),
    err("compare_proportions", "lengths that differ", lambda: cxstats.compare_proportions([1, 2], [10, 10, 10], 1, 10),
        r"same length.*count1 has 2, nobs1 has 3"),
    err("compare_proportions", "Fisher at 2e7", lambda: cxstats.compare_proportions(1, 20_000_000, 1, 10,
                                                                                    method="fisher"),
        "nobs1 element 0 is 20,000,000.*method='z'"),
    err("compare_proportions", "fractional counts for Fisher",
        lambda: cxstats.compare_proportions(1.5, 10, 1, 10, method="fisher"), "count1 must be whole numbers"),
    err("adjust_pvalues", "missing p-value", lambda: cxstats.adjust_pvalues([0.1, np.nan]),
        "pvalues must be finite; element 1 is nan"),
    err("adjust_pvalues", "p-value of 2", lambda: cxstats.adjust_pvalues([0.1, 2]),
        r"pvalues must lie in \[0, 1\]; element 1 is 2"),
    err("adjust_pvalues", "no p-values", lambda: cxstats.adjust_pvalues([]), "pvalues is empty"),
    err("power_proportions", "both base and power", lambda: cxstats.power_proportions(0.5, 0.6, nobs1=10, power=0.8),
        "exactly one of nobs1"),
    err("power_proportions", "no difference", lambda: cxstats.power_proportions(0.5, 0.5, power=0.8),
        "p1 equals p2 at element 0"),
    # equal shares: the power is the significance level (closed form)
    ok("power_proportions", "power of no difference", lambda: cxstats.power_proportions(0.3, 0.3, nobs1=50),
       lambda out: np.isclose(out.power[0], 0.05)),
    err("breakeven_n", "no gap", lambda: cxstats.breakeven_n(0.5, 0.5), "a zero gap is never significant"),
    err("count_range", "percent of 150", lambda: cxstats.count_range(150, 100),
        "percent must be between 0 and 100; element 0 is 150"),
    err("count_range", "base of 0", lambda: cxstats.count_range(50, 0), "n must be a whole number of at least 1"),
    err("count_range", "a base beyond 64-bit counting", lambda: cxstats.count_range(50, 1e15, decimals=2),
        "beyond exact 64-bit counting"),
    err("count_range", "negative decimals", lambda: cxstats.count_range(50, 100, decimals=-1),
        "decimals must be a whole number >= 0; element 0 is -1"),
    err("meta_proportions", "one figure", lambda: cxstats.meta_proportions([5], [10]), "at least 2 figures"),
    err("meta_proportions", "labels short", lambda: cxstats.meta_proportions([5, 6], [10, 10], labels=["a"]),
        "labels has 1 names for 2 figures"),
    err("prob_greater", "unknown method", lambda: cxstats.prob_greater(1, 10, 2, 10, method="simulate"),
        "method='simulate' is not valid"),
    err("prob_greater", "improper prior", lambda: cxstats.prob_greater(1, 10, 2, 10, prior=(0, 1)),
        "prior must be two positive numbers"),
    err("paired_gap_bounds", "a percent for a share", lambda: cxstats.paired_gap_bounds(0.5, 1.5, 100),
        r"p2 must be a share in \[0, 1\]"),
    err("chi2_independence", "ragged table", lambda: cxstats.chi2_independence([[1, 2, 3], [4, 5]]),
        "row 0 has 3, row 1 has 2"),
    err("chi2_independence", "an all-zero row", lambda: cxstats.chi2_independence([[0, 0], [4, 5]]),
        "row 0 is all zero"),
    err("chi2_independence", "a scalar", lambda: cxstats.chi2_independence(5), "2-d table of counts"),
    err("analyze_figures", "not a figure table", lambda: cxstats.analyze_figures(pd.DataFrame({"x": [1]})),
        r"figure table lacks column\(s\)"),
    err("breakeven_base", "equal percentages", lambda: cxstats.breakeven_base(50, 50, 100),
        "percent1 equals percent2: a zero gap is never significant"),
    err("compare_figures", "figures not given as dicts",
        lambda: cxstats.compare_figures(cxstats.load("calabrio_2022"), "nope", "nada"),
        "first must be a dict of column values"),
    err("compare_groups", "unknown figure", lambda: cxstats.compare_groups(cxstats.load("calabrio_2022"), "nope"),
        r"figure\(s\) \['nope'\] not in the table; available"),
    # ---- respondent files
    # the example: semicolons and decimal commas read as two columns, 4.5 and 3.0
    ok("read_responses", "semicolons and decimal commas",
       lambda: cxstats.read_responses(text_file("semi.csv", "id;score\n1;4,5\n2;3,0\n")),
       lambda df: df.columns.tolist() == ["id", "score"] and df.score.tolist() == [4.5, 3.0]),
    ok("read_responses", "tabs in a .txt",
       lambda: cxstats.read_responses(text_file("tabs.txt", "id\tnps\n1\t9\n2\t10\n")),
       lambda df: df.nps.tolist() == [9, 10]),
    ok("read_responses", "identifiers with leading zeros",
       lambda: cxstats.read_responses(text_file("ids.csv", "store_id,nps\n007,9\n01234,3\n120,10\n")),
       lambda df: df.store_id.tolist() == ["007", "01234", "120"]),
    # one column whose values hold the other delimiter: read whole (pandas made the first field an index)
    ok("read_responses", "one column of decimal commas",
       lambda: cxstats.read_responses(text_file("one.csv", "score\n4,5\n3,0\n2,5\n")),
       lambda df: df.columns.tolist() == ["score"] and df.score.tolist() == [4.5, 3.0, 2.5]),
    ok("read_responses", "one column of text with commas",
       lambda: cxstats.read_responses(text_file("text.csv", "comment\nhello, world\nfine\n")),
       lambda df: df.comment.tolist() == ["hello, world", "fine"] and df.index.tolist() == [0, 1]),
    # a path read where it lies (DuckDB) gets the same checks and the same numbers: mean of 4.5, 3.0, 2.5
    ok("weighted_mean", "a semicolon file with decimal commas read by DuckDB",
       lambda: cxstats.weighted_mean(text_file("semi.csv", "id;score\n1;4,5\n2;3,0\n3;2,5\n"), "score"),
       lambda out: np.isclose(out.estimate[0], 10 / 3) and out.n[0] == 3),
    err("nps", "a file with two columns named nps, read by DuckDB",
        lambda: cxstats.nps(text_file("dupes_duck.csv", "resp,nps,nps\n1,9,10\n2,3,4\n"), "nps"),
        r"columns 2, 3 \(counting from 1\) are all named 'nps'"),
    err("read_responses", "columns separated by spaces",
        lambda: cxstats.read_responses(text_file("space.txt", "id score\n1 4.5\n2 3.0\n")),
        r"space\.txt: read as one column named 'id score', but every line splits into 2 fields at spaces"),
    err("read_responses", "duplicate column names",
        lambda: cxstats.read_responses(text_file("dupes.csv", "resp,nps,nps\n1,9,10\n")),
        r"dupes\.csv: columns 2, 3 \(counting from 1\) are all named 'nps'"),
    err("read_responses", "a delimiter that splits rows unevenly",
        lambda: cxstats.read_responses(text_file("ragged.csv", "a;b\n1;2;3\n4\n")),
        r"ragged\.csv: cannot tell the delimiter: at ';' the header has 2 fields but record 2"),
    err("read_responses", "a file that does not exist", lambda: cxstats.read_responses(_FOLDER / "absent.csv"),
        r"absent\.csv: file not found"),
    err("read_responses", "an unknown file type", lambda: cxstats.read_responses(text_file("x.docx", "hello")),
        r"x\.docx: unsupported file type '\.docx'; supported: \.csv"),
    # 99 declared missing on a 0-10 item: 10, 99, 3, 99, 7 reads as 10, -, 3, -, 7 (NPS 0 on three answers)
    ok("read_responses", "SPSS declared missing code",
       lambda: cxstats.read_responses(sav_file("dk.sav", pd.DataFrame({"nps": [10.0, 99, 3, 99, 7]}),
                                               missing_ranges={"nps": [99]}), categorical=True),
       lambda df: df.nps.isna().sum() == 2 and df.attrs["missing_counts"] == {"nps": 2}),
    # ---- report 06: the parameters of "Analyze your own survey", checked against the file read
    err("read_survey", "a file that does not exist", lambda: cxstats.read_survey(_FOLDER / "absent.sav"),
        r"path: .*absent\.sav: file not found"),
    err("read_survey", "a number for a path", lambda: cxstats.read_survey(3),
        "path must be the name of a survey file .* or None for the bundled dataset customer_sat; got 3"),
    err("check_survey_parameters", "a rating column not in the file",
        lambda: cxstats.check_survey_parameters(SAT, ["q2", "q11"]),
        "ratings: column 'q11' is not in the data; its columns are: q1, q2, q3"),
    err("check_survey_parameters", "a scale upside down", lambda: cxstats.check_survey_parameters(SAT, "q2",
                                                                                                  scale_max=1),
        "scale_max must be greater than scale_min; got scale_min=1, scale_max=1"),
    err("check_survey_parameters", "answers off the scale",
        lambda: cxstats.check_survey_parameters(SAT, "q2,q3", scale_max=5),
        r"ratings: column 'q2' of the data has 970 answer\(s\) that are not whole numbers from 1 to 5, e.g. rows "
        r"\[0, 1, 3, 5, 6\] with \[8, 8, 7, 8, 10\]"),
    err("check_survey_parameters", "an NPS of 1-10 answers coded 11",
        lambda: cxstats.check_survey_parameters(with_(ltr=[11, 9, 3, 0, 7, 8]), "y", scale_max=6, nps="ltr"),
        r"nps: column 'ltr' of the data has 1 answer\(s\) that are not whole numbers from 0 to 10, e.g. rows \[0\]"),
    err("check_survey_parameters", "text ratings", lambda: cxstats.check_survey_parameters(DF, "q", scale_max=5),
        "ratings: column 'q' of the data holds .* values such as \\['yes', 'no'\\], not numeric codes"),
    err("check_survey_parameters", "a segment that is an answer",
        lambda: cxstats.check_survey_parameters(SAT, ["q2"], segment="q2"),
        "segment: column 'q2' is also an answer column"),
    err("check_survey_parameters", "a segment of one group",
        lambda: cxstats.check_survey_parameters(with_(g="a"), "y", scale_max=6, segment="g"),
        r"segment: column 'g' of the data has 1 distinct value\(s\) \['a'\]; give a column with 2 to 20 groups"),
    err("check_survey_parameters", "negative weights",
        lambda: cxstats.check_survey_parameters(with_(w=-DF.w), "y", scale_max=6, weight="w"),
        r"weight: weight column 'w' has 6 negative value\(s\)"),
    err("check_survey_parameters", "PSUs in two strata",
        lambda: cxstats.check_survey_parameters(DF, "y", scale_max=6, strata="g", cluster="s"),
        "cluster: PSUs are not nested in strata.*pass nest=True"),
    err("check_survey_parameters", "conf_level as a percent",
        lambda: cxstats.check_survey_parameters(SAT, "q2", conf_level=95),
        "conf_level must be a number strictly between 0 and 1, got 95"),
    # comma-separated text (as papermill passes -p ratings=q2,q3) is a list; whole-number text is a number
    ok("check_survey_parameters", "ratings as comma-separated text",
       lambda: cxstats.check_survey_parameters(SAT, " q2, q3", scale_max="10"),
       lambda p: p.ratings == ("q2", "q3") and p.scale == tuple(range(1, 11))),
    err("answer_summary", "an unknown column", lambda: cxstats.answer_summary(DF, ["y", "zz"]),
        r"column\(s\) \['zz'\] not in the data"),
    # 2 of 6 missing: answered 4, share 1/3; weighted, the weights 1 and 2 of the 9 without an answer: 1/3 (closed form)
    ok("answer_summary", "missing answers, weighted",
       lambda: cxstats.answer_summary(with_(y=[1, np.nan, 3, 4, 5, np.nan]), "y", weight="w"),
       lambda out: out.answered[0] == 4 and out.n_missing[0] == 2 and np.isclose(out.missing_share[0], 1 / 3)
       and np.isclose(out.weighted_missing_share[0], 4 / 9)),
    err("weight_summary", "text weights", lambda: cxstats.weight_summary(DF, "q"), "weight column 'q' must be numeric"),
    # weights 1, 2, 1, 2, 1, 2: Kish's base 9^2 / 15 = 5.4 (closed form)
    ok("weight_summary", "two weights", lambda: cxstats.weight_summary(DF, "w"),
       lambda out: np.isclose(out.n_kish[0], 81 / 15) and out.weight_ratio[0] == 2),
    err("segment_differences", "nothing to compare", lambda: cxstats.segment_differences(DF, "g"),
        "give columns= .* or nps="),
    err("segment_differences", "unknown adjustment",
        lambda: cxstats.segment_differences(DF, "g", ["y"], scale=range(1, 7), adjust="bonf"),
        "adjust='bonf' is not valid"),
    # one adjustment over both answers: the smallest of 6 p-values times 6 (Holm's first step)
    ok("segment_differences", "one family over every answer and pair",
       lambda: cxstats.segment_differences(SAT.assign(seg=SAT.index % 3), "seg", ["q2"], scale=range(1, 11),
                                           nps="q1"),
       lambda out: len(out) == 6 and np.isclose(out.p_adjusted.min(), min(1, 6 * out.p_value.min()))),
    # ---- willingness to pay
    err("van_westendorp", "an interpolation step of 1e-9",
        lambda: cxstats.van_westendorp(STUDY, *VW, interpolate=True, interpolation_step=1e-9),
        "interpolation_step=1e-09 is below 0.0001 of the price range"),
    err("van_westendorp", "text prices", lambda: cxstats.van_westendorp(STUDY.assign(cheap="x"), *VW),
        "price column 'cheap' must be numeric"),
    err("van_westendorp", "negative bootstrap", lambda: cxstats.van_westendorp(STUDY, *VW, bootstrap=-1),
        "bootstrap must be a whole number from 0 to 10,000, got -1"),
    # the example: nobody finds any price too cheap, so "too cheap" meets "not cheap" along a stretch
    # starting at the lowest price; the documented rule (and pricesensitivitymeter's) takes its lowest price
    ok("van_westendorp", "curves that coincide over a stretch",
       lambda: cxstats.van_westendorp(pd.DataFrame({"tc": [0] * 5, "c": [3, 4, 5, 6, 7], "e": [5, 6, 7, 8, 9],
                                                    "te": [8, 9, 10, 11, 12]}), "tc", "c", "e", "te"),
       lambda res: res.price_points.set_index("point").price[["pmc", "opp"]].tolist() == [0, 0]),
    err("gabor_granger", "a column that does not exist",
        lambda: cxstats.gabor_granger(STUDY, {2: "nope", 4: "buy_4"}), r"\['nope'\] not in the data"),
    err("gabor_granger", "text answers", lambda: cxstats.gabor_granger(STUDY.assign(buy_2="x"),
                                                                       {2: "buy_2", 4: "buy_4"}),
        "column 'buy_2' must be 0/1"),
    err("dichotomous_choice_wtp", "everyone says yes",
        lambda: cxstats.dichotomous_choice_wtp(pd.DataFrame({"bid": [5, 10, 15, 20] * 10, "yes": [1] * 40}),
                                               "bid", "yes"),
        "every respondent said yes to every bid offered"),
    err("dichotomous_choice_wtp", "negative draws",
        lambda: cxstats.dichotomous_choice_wtp(pd.DataFrame({"bid": [5, 10, 15, 20] * 10, "yes": [1, 0] * 20}),
                                               "bid", "yes", draws=-1),
        "draws must be a whole number from 100 to 1,000,000, got -1"),
    err("choice_model", "a trait of the chooser copied to every alternative",
        lambda: cxstats.choice_model(LONG.assign(age=LONG.id), "choice", "alt", "chid", ["pf", "age"], "pf"),
        r"attribute\(s\) \['age'\] do not vary within any choice set"),
    err("choice_model", "a billion draws",
        lambda: cxstats.choice_model(LONG, "choice", "alt", "chid", ["pf", "cl"], "pf", draws=10**9),
        "draws must be a whole number from 100 to 1,000,000"),
    err("choice_model", "the cheap good alternative always chosen",
        lambda: cxstats.choice_model(SEPARATED, "choice", "alt", "set", ["price", "quality"], "price"),
        r"perfectly separated by attribute\(s\) \['price', 'quality'\].*strictly higher in 40 of 40"),
    # ---- key drivers, reliability, ordinal models
    err("key_drivers", "one driver", lambda: cxstats.key_drivers(SAT, "q1", ["q2"], n_boot=0),
        "drivers must name at least two columns"),
    err("key_drivers", "the outcome among the drivers", lambda: cxstats.key_drivers(SAT, "q1", ["q1", "q2"], n_boot=0),
        "the outcome 'q1' is also listed among the drivers"),
    err("key_drivers", "a constant driver", lambda: cxstats.key_drivers(SAT.assign(k=1), "q1", ["q2", "k"], n_boot=0),
        r"driver\(s\) \['k'\] have the same value for every respondent"),
    err("key_drivers", "collinear drivers",
        lambda: cxstats.key_drivers(SAT.assign(k=SAT.q2 * 2), "q1", ["q2", "k", "q3"], n_boot=0),
        r"drivers \['q2', 'k'\] are perfectly collinear"),
    err("key_drivers", "fewer rows than drivers + 2", lambda: cxstats.key_drivers(SAT.head(3), "q1", ["q2", "q3"],
                                                                                    n_boot=0),
        "only 3 respondents .* needs at least 4"),
    err("key_drivers", "five bootstrap resamples", lambda: cxstats.key_drivers(SAT, "q1", ["q2", "q3"], n_boot=5),
        "n_boot must be 0 .* or at least 50, got 5"),
    # orthogonal drivers of equal variance, y = x1 + x2 + e with e orthogonal to both (var 0.25):
    # each part is corr(x, y)^2 = 1 / 2.25, and R^2 = 2 / 2.25 (closed form)
    ok("key_drivers", "orthogonal drivers (a planted truth)",
       lambda: cxstats.key_drivers(ORTHOGONAL, "y", ["x1", "x2"], n_boot=0),
       lambda res: np.allclose(res.table.estimate, 1 / 2.25) and np.isclose(res.r2, 2 / 2.25)),
    err("scale_reliability", "one item", lambda: cxstats.scale_reliability(SAT, ["q1"]),
        "items must be a list of at least two column names"),
    err("scale_reliability", "an unknown item", lambda: cxstats.scale_reliability(SAT, ["q1", "zz"]),
        r"\['zz'\] not in the data"),
    # two items: alpha = 4 cov / var(sum) (closed form)
    ok("scale_reliability", "two items", lambda: cxstats.scale_reliability(SAT, ["q2", "q3"]),
       lambda res: np.isclose(res.alpha, 4 * SAT.q2.cov(SAT.q3) / (SAT.q2 + SAT.q3).var())),
    err("ordinal_model", "survey weights", lambda: cxstats.ordinal_model(HOUSING, "Sat", ["Infl"], weight="freq"),
        "does not take survey weights: give freq_weight="),
    err("ordinal_model", "fractional frequencies",
        lambda: cxstats.ordinal_model(HOUSING.assign(freq=HOUSING.freq + 0.5), "Sat", ["Infl"], freq_weight="freq"),
        "freq_weight column 'freq' has values that are not whole numbers"),
    err("ordinal_model", "an unknown link", lambda: cxstats.ordinal_model(HOUSING, "Sat", ["Infl"],
                                                                          freq_weight="freq", link="cloglog"),
        "link='cloglog' is not valid"),
    err("ordinal_model", "a predictor that separates the answers",
        lambda: cxstats.ordinal_model(pd.DataFrame({"y": pd.Categorical(list("aabbcc"), ordered=True),
                                                    "x": [0, 0, 1, 1, 2, 2]}), "y", ["x"]),
        "the model is not identified"),
    # ---- reports
    err("build_reports", "an output folder that is a file",
        lambda: cxstats.report.build_reports([], out_dir=text_file("page.html", "x")), r"page\.html is a file"),
    err("build_reports", "a cell timeout of 0",
        lambda: cxstats.report.build_reports([], out_dir=_FOLDER / "out", cell_timeout=0),
        "cell_timeout must be a positive number of seconds, e.g. 600; got 0"),
    err("build_reports", "no workers", lambda: cxstats.report.build_reports([], out_dir=_FOLDER / "out", jobs=0),
        "jobs must be a positive whole number of notebooks run at once; got 0"),
    # ---- bundled data and simulation
    err("load", "unknown dataset", lambda: cxstats.load("nope"), "unknown dataset 'nope'; available: "),
    err("survey_info", "unknown dataset", lambda: cxstats.survey_info("nope"),
        "unknown dataset 'nope'; available: accenture_2016"),
    err("list_datasets", "a folder that does not exist", lambda: cxstats.list_datasets("/nonexistent/folder"),
        "/nonexistent/folder: survey folder not found"),
    err("load_responses", "unknown dataset", lambda: cxstats.load_responses("nope"),
        "unknown respondent dataset 'nope'; available: copenhagen_housing, customer_sat"),
    err("load_responses", "expand as text", lambda: cxstats.load_responses("customer_sat", expand="yes"),
        "expand must be True or False"),
    # it takes no arguments; the counts are R's nrow(bayesm::customerSat) and sum(MASS::housing$Freq)
    ok("list_responses", "(no arguments to get wrong)", lambda: cxstats.list_responses(),
       lambda t: t.set_index("name").n_respondents.to_dict() == {"copenhagen_housing": 1681, "customer_sat": 1811}),
    err("require_figures", "a survey without the figures",
        lambda: cxstats.require_figures("amex_2014", ["meets_expectations"]),
        r"dataset='amex_2014' lacks the figures this notebook analyses \(meets_expectations\); surveys that have "
        "them: calabrio_2022"),
    err("require_figures", "a respondent dataset", lambda: cxstats.require_figures("customer_sat", parameter="survey"),
        "survey='customer_sat' is a respondent-level dataset; this notebook needs a published-figures survey"),
    err("require_responses", "a published-figures survey", lambda: cxstats.require_responses("calabrio_2022"),
        "dataset='calabrio_2022' is a published-figures survey; this notebook needs a respondent-level dataset"),
    err("require_responses", "a dataset without the columns",
        lambda: cxstats.require_responses("copenhagen_housing", ["q1"]),
        r"dataset='copenhagen_housing' lacks the columns this notebook analyses \(q1\); respondent datasets that have "
        "them: customer_sat"),
    err("simulate_respondents", "no respondents", lambda: cxstats.simulate_respondents("calabrio_2022", n=0),
        "n must be a whole number of respondents, at least 1; got 0"),
    err("simulate_price_study", "negative size", lambda: cxstats.simulate_price_study(n=-1),
        "n must be a whole number of respondents, at least 1; got -1"),
    err("simulate_price_study", "share of 2", lambda: cxstats.simulate_price_study(share_willing=2),
        "share_willing must be strictly between 0 and 1"),
    err("simulate_price_study", "prices out of order", lambda: cxstats.simulate_price_study(prices=(4, 2)),
        "prices must be positive prices in increasing order"),
    err("simulate_feedback", "too few rows", lambda: cxstats.simulate_feedback(Path(tempfile.mkdtemp()) / "t", rows=5),
        "rows must be a whole number from 12 to 10,000,000,000, got 5"),
    err("feedback_truth", "no months", lambda: cxstats.feedback_truth(months=0),
        "months must be a whole number from 2 to 1,200, got 0"),
    err("wave_changes", "one wave", lambda: cxstats.wave_changes(with_(g="a"), "y", wave="g", measure="mean"),
        "wave column 'g' has 1 wave"),
    err("wave_changes", "a by column not in the data", lambda: cxstats.wave_changes(DF, "y", wave="g", by="nope"),
        r"\['nope'\] not in the data"),
    err("select_segments", "one segment for k-means",
        lambda: cxstats.select_segments(cxstats.KMeansSegments(), DF[["y", "w"]], k=[1]),
        "k must list whole numbers of segments of at least 2 for KMeansSegments"),
    err("select_segments", "fractional k",
        lambda: cxstats.select_segments(cxstats.MixtureSegments(), DF[["y", "w"]], k=[2.5]), "whole numbers"),
]


def test_every_public_function_is_fed():
    """Every public function of cxstats appears in the table of bad inputs."""
    public = {name for name in cxstats.__all__
              if callable(getattr(cxstats, name)) and not inspect.isclass(getattr(cxstats, name))}
    fed = {case.function for case in CASES}
    assert public - fed == set()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.function}: {c.fault}" for c in CASES])
def test_bad_input(case):
    if case.error is not None:
        with pytest.raises(ValueError, match=case.error) as caught:
            case.call()
        assert "Traceback" not in str(caught.value) and "np.float64" not in str(caught.value)
    else:
        assert case.check(case.call())
