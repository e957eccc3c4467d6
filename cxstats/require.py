"""Check that a chosen bundled dataset has what an analysis needs, before the analysis starts.

A report notebook whose parameters choose a survey (``dataset``, ``survey``, ``surveys``) calls one of these
first. A survey without the figures (or a respondent dataset without the columns) the notebook analyses then
stops the notebook at once with an error that names the parameter, its value, what is missing and which
bundled datasets would work, instead of a ``KeyError`` several cells later.
"""

from __future__ import annotations

import pandas as pd

from .datasets import load, survey_files


def _as_names(parameter, dataset) -> list[str]:
    names = [dataset] if isinstance(dataset, str) else dataset
    if not isinstance(names, list | tuple) or not names or not all(isinstance(n, str) for n in names):
        raise ValueError(f"{parameter} must be a bundled dataset name or a non-empty list of names "
                         f"(see cxstats.list_datasets()); got {dataset!r}")
    return list(names)


def _as_list(name, value) -> list[str]:
    items = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(v, str) and v for v in items):
        raise ValueError(f"{name} must be a list of names; got {value!r}")
    return items


def _kinds() -> pd.Series:
    """Each bundled dataset's kind ("figures" or "respondents"), by name, from the file names alone: no file is
    read, so a page's provenance lists only the files it analysed."""
    from .responses import DATASETS

    kinds = {path.stem: "figures" for path in survey_files()}
    kinds.update({name: "respondents" for name in DATASETS})
    return pd.Series(kinds, name="kind")


def _known(parameter, names, kind) -> pd.Series:
    """The kind of every bundled dataset, after checking each of ``names`` is a bundled dataset of ``kind``."""
    kinds = _kinds()
    wanted = "published-figures survey" if kind == "figures" else "respondent-level dataset"
    loader = "cxstats.load" if kind == "figures" else "cxstats.load_responses"
    of_kind = sorted(kinds.index[kinds == kind])
    for name in names:
        if name not in kinds.index:
            raise ValueError(f"{parameter}={name!r} is not a bundled dataset; this notebook needs a {wanted} "
                             f"({loader}): {', '.join(of_kind)}")
        if kinds[name] != kind:
            other = "respondent-level dataset" if kind == "figures" else "published-figures survey"
            raise ValueError(f"{parameter}={name!r} is a {other}; this notebook needs a {wanted} ({loader}): "
                             f"{', '.join(of_kind)}")
    return kinds


def _most_shares(table: pd.DataFrame) -> int:
    """The largest number of share figures that one group of one survey has."""
    shares = table[table["kind"] == "share"]
    return int(shares.groupby(["survey", "group"], dropna=False).size().max()) if len(shares) else 0


def require_figures(dataset, figures=(), *, parameter="dataset", min_shares=0) -> pd.DataFrame:
    """Load the bundled survey(s) a notebook parameter chose, if they have the figures the notebook analyses.

    Parameters
    ----------
    dataset : str or list of str
        The value of the notebook's parameter: one survey id, or a list of them (all are loaded and stacked).
    figures : str or list of str, default ()
        Figure ids the analysis needs (the ``figure`` column of :func:`cxstats.load`); with a list of surveys,
        each must be in at least one of them. Empty: any published-figures survey will do.
    parameter : str, default "dataset"
        The parameter's name, for the error message (e.g. ``"survey"`` or ``"surveys"``).
    min_shares : int, default 0
        The fewest share figures that one group of one chosen survey must have (e.g. for a model that needs
        several answers per respondent).

    Returns
    -------
    pandas.DataFrame
        The figures table of :func:`cxstats.load` for the chosen survey(s), in the order given.

    Raises
    ------
    ValueError
        If ``dataset`` is not a bundled published-figures survey (a respondent-level dataset is named as
        such), or lacks any of ``figures`` or ``min_shares``. The message names ``parameter``, its value, what
        is missing, and the bundled surveys that have it.

    Examples
    --------
    >>> import cxstats
    >>> table = cxstats.require_figures("calabrio_2022", ["meets_expectations"])
    >>> table.survey.unique().tolist()
    ['calabrio_2022']
    >>> cxstats.require_figures("amex_2014", ["prefer_human_service"])
    Traceback (most recent call last):
    ...
    ValueError: dataset='amex_2014' lacks the figures this notebook analyses (prefer_human_service);
    surveys that have them: accenture_2016
    """
    names = _as_names(parameter, dataset)
    needed = _as_list("figures", figures)
    if isinstance(min_shares, bool) or not isinstance(min_shares, int) or min_shares < 0:
        raise ValueError(f"min_shares must be a whole number of figures, 0 or more; got {min_shares!r}")
    datasets = _known(parameter, names, "figures")
    table = pd.concat([load(name) for name in names], ignore_index=True)
    shown = names[0] if isinstance(dataset, str) else names
    missing = [f for f in needed if f not in set(table["figure"])]
    if missing:
        everything = load()
        having = [name for name in datasets.index[datasets == "figures"]
                  if set(missing) <= set(everything.loc[everything.survey == name, "figure"])]
        if not having and len(names) > 1:  # a list may need several surveys between them
            having = sorted(set(everything.loc[everything.figure.isin(missing), "survey"]))
        raise ValueError(f"{parameter}={shown!r} lacks the figures this notebook analyses ({', '.join(missing)}); "
                         f"surveys that have them: {', '.join(having) or 'none'}")
    if _most_shares(table) < min_shares:
        everything = load()
        having = [name for name in datasets.index[datasets == "figures"]
                  if _most_shares(everything[everything.survey == name]) >= min_shares]
        raise ValueError(f"{parameter}={shown!r} has at most {_most_shares(table)} share figures in one group; "
                         f"this notebook needs at least {min_shares}; surveys that have them: "
                         f"{', '.join(having) or 'none'}")
    return table


def require_responses(dataset, columns=(), *, parameter="dataset") -> pd.DataFrame:
    """Load the bundled respondent-level dataset a notebook parameter chose, if it has the columns analysed.

    Parameters
    ----------
    dataset : str
        The value of the notebook's parameter: a respondent dataset name (see :func:`cxstats.list_responses`).
    columns : str or list of str, default ()
        Columns the analysis needs. Empty: any bundled respondent dataset will do.
    parameter : str, default "dataset"
        The parameter's name, for the error message.

    Returns
    -------
    pandas.DataFrame
        The dataset as :func:`cxstats.load_responses` returns it (one row per respondent).

    Raises
    ------
    ValueError
        If ``dataset`` is not a bundled respondent-level dataset (a published-figures survey is named as such)
        or lacks any of ``columns``. The message names ``parameter``, its value, what is missing, and the
        bundled respondent datasets that have it.

    Examples
    --------
    >>> import cxstats
    >>> len(cxstats.require_responses("customer_sat", ["q1", "q2"]))
    1811
    >>> cxstats.require_responses("calabrio_2022", ["q1"])
    Traceback (most recent call last):
    ...
    ValueError: dataset='calabrio_2022' is a published-figures survey; this notebook needs a respondent-level
    dataset (cxstats.load_responses): copenhagen_housing, customer_sat
    """
    from .responses import load_responses  # here: responses imports datasets

    if not isinstance(dataset, str):
        raise ValueError(f"{parameter} must be the name of a bundled respondent dataset; got {dataset!r}")
    needed = _as_list("columns", columns)
    table = _known(parameter, [dataset], "respondents")
    frame = load_responses(dataset)
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        having = [name for name in table.index[table == "respondents"]
                  if set(missing) <= set(load_responses(name).columns)]
        raise ValueError(f"{parameter}={dataset!r} lacks the columns this notebook analyses ({', '.join(missing)}); "
                         f"respondent datasets that have them: {', '.join(having) or 'none'}")
    return frame
