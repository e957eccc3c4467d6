"""The cxstats command prints readable tables and readable errors."""

from cxstats.cli import main


def test_datasets_lists_every_survey(capsys):
    """`cxstats datasets` prints one line per survey."""
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "calabrio_2022" in out and "accenture_2016" in out and "2003" in out


def test_show_prints_provenance_and_figures(capsys):
    """`cxstats show NAME` prints the survey's provenance and its figures with count ranges."""
    assert main(["show", "calabrio_2022"]) == 0
    out = capsys.readouterr().out
    assert "publisher: Calabrio" in out
    assert "meets_expectations consumers" in out and "112" in out and "113" in out


def test_show_unknown_name_is_an_error(capsys):
    """An unknown survey gives exit status 2 and a message listing valid names."""
    assert main(["show", "nope"]) == 2
    assert "unknown dataset 'nope'; available:" in capsys.readouterr().err
