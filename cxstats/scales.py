"""Rating scales: answers are scored by their values (0-10 stays 0-10), never by category position.

A scale is the ordered list of its points from low to high. Numbers score as
themselves; text labels (e.g. the five agreement labels) need their order
given, either by an ordered categorical or by ``scale=``, and then score 1 to
k in that order, because that is the order the researcher declared.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

NPS_POINTS = tuple(range(11))


def _is_number(value) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool) and \
        bool(np.isfinite(value))


def _shown(values) -> list:
    """Up to eight distinct values for a message: numbers as numbers in numeric order, then text."""
    distinct = []
    for v in values:
        v = v.item() if isinstance(v, np.generic) else v
        if v not in distinct:
            distinct.append(v)
    return sorted(distinct, key=lambda v: (not _is_number(v), v if _is_number(v) else str(v)))[:8]


def scale_points(column: str, scale=None, dtype=None, *, fixed=None, order_only=False):
    """The scale's points (low to high) and their scores.

    Parameters
    ----------
    column : str
        The answer column (for messages).
    scale : sequence, mapping or None
        ``range(1, 6)``, a list of labels from low to high, or ``{label: score}``.
    dtype : pandas dtype of the column, optional
        An ordered categorical supplies the scale when ``scale`` is None.
    fixed : tuple, optional
        A scale the measure defines (NPS: 0..10); ``scale`` may then only
        relabel it with as many points.
    order_only : bool
        True when the measure needs only the order of the points (top/bottom
        box): an ordered categorical of text labels then supplies its scale.
        Otherwise (a mean) text labels have no values, and ``scale=`` is needed.

    Returns
    -------
    points : list
        The answers that may occur, low to high (None: any number).
    scores : numpy.ndarray or None
        The score of each point (None: numbers score as themselves).
    """
    if isinstance(scale, int | np.integer) and not isinstance(scale, bool):
        raise ValueError(f"scale={scale!r} is ambiguous: give the scale points from low to high, e.g. "
                         f"scale=range(1, {scale + 1}) for 1 to {scale}")
    if isinstance(scale, str):
        raise ValueError(f"scale must list the scale points from low to high, got the string {scale!r}")
    if scale is not None:
        if isinstance(scale, Mapping):
            points, scores = list(scale), np.array([float(v) for v in scale.values()])
            if not np.isfinite(scores).all():
                raise ValueError(f"scale for {column!r} must map each point to a finite number")
        else:
            points = list(scale)
            scores = np.array(points, dtype=float) if all(_is_number(p) for p in points) else \
                np.arange(1, len(points) + 1, dtype=float)
        if len(points) < 2:
            raise ValueError(f"scale for {column!r} needs at least 2 points, got {points}")
        if len(set(points)) != len(points):
            raise ValueError(f"scale for {column!r} lists a point twice: {points}")
        if fixed is not None and len(points) != len(fixed):
            raise ValueError(f"scale for {column!r} must list the {len(fixed)} points {fixed[0]}..{fixed[-1]} "
                             f"from low to high; got {len(points)}")
        if fixed is not None:
            scores = np.array(fixed, dtype=float)
        return points, scores
    if isinstance(dtype, pd.CategoricalDtype):
        categories = list(dtype.categories)
        numeric = all(_is_number(c) for c in categories)
        labels = [c for c in categories if not _is_number(c)]
        if not dtype.ordered:
            raise ValueError(f"column {column!r} is an unordered categorical with answers {_shown(categories)}; "
                             "give scale= (the points from low to high), or convert numbers with "
                             "pd.to_numeric, so that the answers are placed by value")
        if fixed is not None and not numeric:
            raise ValueError(f"column {column!r} has labels {_shown(labels)}; this measure needs the "
                             f"{fixed[0]}-{fixed[-1]} answers as numbers, or scale= listing the {len(fixed)} labels "
                             "from low to high (read SPSS/Stata files without categorical= to keep the codes)")
        if numeric:
            return (list(fixed) if fixed is not None else sorted(categories)), None
        if not order_only:
            raise ValueError(f"column {column!r} has text labels {_shown(labels)}, which have no values to average; "
                             "give scale= as {label: score} (or the labels from low to high to score them 1..k), "
                             "or read SPSS/Stata files without categorical= to keep the codes")
        return categories, np.arange(1, len(categories) + 1, dtype=float)
    if fixed is not None:
        return list(fixed), None
    return None, None


def score(column: str, labels: np.ndarray, points, scores) -> np.ndarray:
    """Score of each observed answer label (NaN for a missing answer); answers off the scale are errors.

    ``labels`` are the distinct answers found (from the aggregated table), so
    the check costs nothing per respondent.
    """
    labels = np.asarray(labels, dtype=object)
    missing = pd.isna(labels)
    out = np.full(labels.size, np.nan)
    if points is None:  # any number: scores are the values
        bad = [v for v, m in zip(labels, missing, strict=True) if not m and not _is_number(v)]
        if bad:
            raise ValueError(f"column {column!r} must hold numbers; it has {_shown(bad)}; give scale= for text "
                             "answers (the points from low to high)")
        out[~missing] = labels[~missing].astype(float)
        return out
    numeric_points = all(_is_number(p) for p in points)
    lookup = {}
    for point, value in zip(points, scores if scores is not None else points, strict=True):
        lookup[float(point) if numeric_points else point] = float(value)
    bad = []
    for i, (label, m) in enumerate(zip(labels, missing, strict=True)):
        if m:
            continue
        if isinstance(label, bool | np.bool_):  # True is not the point 1 of a scale
            bad.append(label)
            continue
        key = float(label) if numeric_points and _is_number(label) else label
        if key in lookup:
            out[i] = lookup[key]
        else:
            bad.append(label)
    if bad:
        raise ValueError(f"column {column!r} has answers {_shown(bad)} that are not on the scale "
                         f"{list(points)}; recode them, set them missing, or give the full scale= from low to high")
    return out
