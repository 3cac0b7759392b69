"""Logging: what a traceback shows, and what it never shows."""

import logging
from json import loads as parse_json

import pytest
import structlog

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


def test_json_lines_hold_any_value_ours_and_the_libraries_alike(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """orjson renders; what it refuses (integers beyond 64 bits) still makes
    a line, and objects without a JSON form appear as their repr."""
    configure_logging(json=True, level="INFO")
    structlog.get_logger("ours").info(
        "counted", big=2**70, keys={1: "one"}, thing=object.__new__(Marker)
    )
    logging.getLogger("theirs").warning("library %s", "line")
    ours, theirs = (parse_json(line) for line in capsys.readouterr().out.splitlines())
    assert (ours["event"], ours["big"], ours["keys"]) == (
        "counted",
        2**70,
        {"1": "one"},
    )
    assert ours["thing"] == "<marker>" and ours["logger"] == "ours"
    assert (theirs["event"], theirs["level"]) == ("library line", "warning")
    assert ours.keys() - {"big", "keys", "thing"} == theirs.keys()


class Marker:
    def __repr__(self) -> str:
        return "<marker>"
