"""Read respondent-level survey files: CSV, Parquet, SPSS, Stata and Excel."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._validate import DataError

READERS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".parquet": "parquet", ".pq": "parquet",
    ".sav": "spss", ".zsav": "spss",
    ".dta": "stata",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel",
}


COMPRESSED = (".gz", ".bz2", ".xz", ".zip", ".zst")


def _read_labelled(path: Path, reader: str, **options) -> pd.DataFrame:
    """Read SPSS or Stata with pyreadstat: value labels as ordered categoricals, variable labels in attrs."""
    import pyreadstat

    options.setdefault("apply_value_formats", True)
    options.setdefault("formats_as_ordered_category", True)
    df, meta = getattr(pyreadstat, reader)(str(path), **options)
    df.attrs["column_labels"] = dict(zip(meta.column_names, meta.column_labels, strict=True))
    return df


def read_responses(path, **options) -> pd.DataFrame:
    """Read a respondent-level survey file into a DataFrame, one row per respondent.

    The format follows the file ending: ``.csv``/``.tsv``/``.txt`` (pandas;
    also compressed, e.g. ``.csv.gz``),
    ``.parquet``, ``.sav``/``.zsav`` (SPSS), ``.dta`` (Stata), ``.xlsx``/``.xls``
    (Excel). SPSS and Stata value labels become ordered categoricals (so a
    Likert item keeps its order) and variable labels are kept in
    ``df.attrs["column_labels"]``.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    **options
        Passed to the underlying reader (``pandas.read_csv``,
        ``pandas.read_parquet``, ``pyreadstat.read_sav``/``read_dta``,
        ``pandas.read_excel``), e.g. ``sep=";"`` or ``sheet_name="wave2"``.

    Raises
    ------
    DataError
        If the file is missing, has an unsupported ending, or cannot be parsed;
        the message names the file.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"nps": [10, 7, 3]}).to_csv(os.path.join(folder, "w1.csv"), index=False)
    >>> read_responses(os.path.join(folder, "w1.csv"))["nps"].tolist()
    [10, 7, 3]
    """
    path = Path(path)
    suffixes = [x.lower() for x in path.suffixes]
    compressed = len(suffixes) > 1 and suffixes[-1] in COMPRESSED and READERS.get(suffixes[-2]) == "csv"
    kind = "csv" if compressed else READERS.get(path.suffix.lower())
    if kind is None:
        raise DataError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r}; "
            f"supported: {', '.join(sorted(READERS))}"
        )
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    if kind == "csv" and ".tsv" in suffixes:
        options.setdefault("sep", "\t")
    readers = {
        "csv": pd.read_csv,
        "parquet": pd.read_parquet,
        "spss": lambda p, **o: _read_labelled(p, "read_sav", **o),
        "stata": lambda p, **o: _read_labelled(p, "read_dta", **o),
        "excel": pd.read_excel,
    }
    try:
        df = readers[kind](path, **options)
    except TypeError:
        raise
    except Exception as err:  # the readers raise many types; name the file either way
        raise DataError(f"{path}: could not be read as {kind}: {type(err).__name__}: {err}") from err
    if df.shape[1] == 0:
        raise DataError(f"{path}: no columns were found; is it empty or in another format?")
    return df
