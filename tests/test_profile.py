"""Profiles of segments: the answers that formed the segments are described, never tested; the others are tested
against closed forms (group means, Holm written out)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cxstats
from cxstats.profile import BASIS_NOTE


def _holm(p):
    """Holm's step-down adjustment, written out."""
    p = np.asarray(p, dtype=float)
    adjusted, running = np.empty(p.size), 0.0
    for rank, i in enumerate(np.argsort(p)):
        running = max(running, min(1.0, (p.size - rank) * p[i]))
        adjusted[i] = running
    return adjusted


@pytest.fixture(scope="module")
def segmented():
    """Planted segments, found again from the ten yes/no answers; recommendation and age are descriptors."""
    df = cxstats.simulate_respondents("accenture_2016", n=900, seed=5)
    items = list(df.attrs["item_probabilities"].index)
    df = df.assign(young=(df.age_group == "18-34").astype(int), north=(df.region == df.region.iloc[0]).astype(int))
    return df, items, ["recommend_0_10", "young", "north"]


def test_basis_answers_are_described_not_tested(segmented):
    """Basis rows keep the segment's share and the difference from the rest (group means), with no SE, statistic,
    degrees of freedom or p-value, and a note saying why."""
    df, items, descriptors = segmented
    table = cxstats.profile(df, "segment_true", columns=descriptors, basis=items)
    basis = table[table.column.isin(items)]
    assert len(basis) == 3 * len(items)
    assert basis[["se", "statistic", "df", "p_value", "p_adjusted"]].isna().all().all()
    assert (basis.note == BASIS_NOTE).all()
    for row in basis.itertuples():
        inside = df.loc[df.segment_true == row.segment_true, row.column]
        rest = df.loc[df.segment_true != row.segment_true, row.column]
        assert_allclose([row.in_segment, row.in_rest, row.diff], [inside.mean(), rest.mean(),
                                                                  inside.mean() - rest.mean()], rtol=1e-12)
    assert list(table.column.drop_duplicates()) == items + descriptors  # the basis first


def test_only_the_other_answers_form_the_adjusted_family(segmented):
    """The descriptors' p-values are those of a profile without the basis, and Holm runs over those alone (3 x 3)."""
    df, items, descriptors = segmented
    table = cxstats.profile(df, "segment_true", columns=descriptors, basis=items)
    alone = cxstats.profile(df, "segment_true", columns=descriptors)
    tested = table[~table.column.isin(items)].reset_index(drop=True)
    assert (tested.note == "").all() and len(tested) == 9
    assert_allclose(tested.p_value, alone.p_value, rtol=1e-12)
    assert_allclose(tested.p_adjusted, _holm(tested.p_value), rtol=1e-12)
    assert_allclose(tested.se, alone.se, rtol=1e-12)


def test_a_column_in_both_columns_and_basis_is_profiled_once_as_basis(segmented):
    df, items, _ = segmented
    table = cxstats.profile(df, "segment_true", columns=items[:3], basis=items[:2])
    assert table.groupby("segment_true").size().eq(3).all()
    assert table.loc[table.column.isin(items[:2]), "p_value"].isna().all()
    assert table.loc[table.column == items[2], "p_value"].notna().all()


def test_describe_segments_separates_what_formed_them_from_what_was_tested(segmented):
    """The basis answers are named by their largest differences, untested; descriptors only when significant,
    with their adjusted p-value."""
    df, items, descriptors = segmented
    table = cxstats.profile(df, "segment_true", columns=descriptors, basis=items)
    text = cxstats.describe_segments(table, top=1).set_index("segment_true").description
    for segment in (1, 2, 3):
        part = table[(table.segment_true == segment) & table.column.isin(items)]
        largest = part.loc[part["diff"].abs().idxmax(), "column"]
        assert f"Formed on (largest differences, not tested): {largest}: " in text[segment]
        tested = table[(table.segment_true == segment) & ~table.column.isin(items)]
        significant = tested[tested.p_adjusted < 0.05]
        if len(significant):
            assert "Differs significantly on: " in text[segment] and "adjusted p" in text[segment]
        else:
            assert "No other answer profiled differs significantly." in text[segment]


def test_describe_segments_without_a_basis_names_only_significant_answers():
    """A profile with no basis (every answer tested) is described as before: significant answers only."""
    df = pd.DataFrame({"a": [1] * 18 + [0] * 2 + [0] * 18 + [1] * 2, "b": [1, 0] * 20,
                       "segment": [0] * 20 + [1] * 20})
    table = cxstats.profile(df, "segment")
    text = cxstats.describe_segments(table).description
    assert table.p_adjusted[0] < 0.001 and table.p_adjusted[1] > 0.05
    assert text[0] == "50% of respondents. a: 90% vs 10% in the rest"
    quiet = cxstats.describe_segments(cxstats.profile(df, "segment", columns=["b"])).description
    assert quiet[0] == "50% of respondents. no answer differs significantly"


@pytest.mark.parametrize("basis", ["q1", [1, 2], {"q1"}])
def test_a_bad_basis_is_refused_naming_it(basis):
    df = pd.DataFrame({"q1": [1, 0, 1, 0], "segment": [0, 0, 1, 1]})
    with pytest.raises(ValueError, match="basis must be a list of the column names the segments were formed from"):
        cxstats.profile(df, "segment", basis=basis)


def test_a_basis_column_not_in_the_data_is_named():
    df = pd.DataFrame({"q1": [1, 0, 1, 0], "segment": [0, 0, 1, 1]})
    with pytest.raises(ValueError, match=r"\['zz'\] not in the data"):
        cxstats.profile(df, "segment", columns=["q1"], basis=["zz"])
