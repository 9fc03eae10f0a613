"""Ctrl+C while the command line builds its parser (the subcommands import NumPy-heavy
modules for about a third of a second after the interpreter starts) ends in one line
and status 130, as it does mid-run, not in a KeyboardInterrupt traceback."""
import pytest

import engine.cli as cli


def test_ctrl_c_while_the_parser_is_built_is_one_line(monkeypatch, capsys):
    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    try:
        status = cli.main(["info", "x.ncproj"])
    except KeyboardInterrupt:  # as it escaped before: a traceback (and pytest would stop)
        pytest.fail("Ctrl+C while building the parser escaped main()")
    assert status == 130
    err = capsys.readouterr().err
    assert err.strip().splitlines() == ["interrupted"]
