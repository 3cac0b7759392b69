"""Logging: what a traceback shows, and what it never shows."""

import logging

import pytest

from app.core.log import configure_logging


@pytest.mark.parametrize("json", [False, True])
def test_tracebacks_show_the_error_but_not_local_variables(
    json: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(json=json, level="INFO")

    def log_in(password: str) -> None:
        raise ValueError("the login failed")

    secret = "-".join(["hunter2", "plutonium"])  # not in the source a trace quotes
    try:
        log_in(secret)
    except ValueError:
        logging.getLogger("test").exception("login crashed")
    out = capsys.readouterr().out
    assert "the login failed" in out and "log_in" in out
    assert secret not in out
