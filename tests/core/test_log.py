"""Logging: what a traceback shows and never shows, and when lines are written."""

import asyncio
import io
import logging
import re
import sys
import threading
from collections.abc import Generator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from json import loads as parse_json

import pytest
import structlog

from app.core import log
from app.core.log import UtcTimestamper, configure_logging, turn_end_logger
from tests.utils.processes import python_output


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


class CountingStream(io.StringIO):
    """stdout for a test: what was written, and in how many writes."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


@contextmanager
def json_lines() -> Generator[CountingStream]:
    """JSON lines into a CountingStream as sys.stdout. Swapped in the test's
    body: pytest sets its capture back as sys.stdout after fixtures."""
    stream = CountingStream()
    saved, sys.stdout = sys.stdout, stream
    try:
        configure_logging(json=True, level="INFO")
        yield stream
    finally:
        sys.stdout = saved


def events(written: str) -> list[str]:
    return [parse_json(line)["event"] for line in written.splitlines()]


def test_turn_end_lines_are_written_when_the_turn_ends_in_one_write() -> None:
    async def one_turn(stdout: CountingStream) -> tuple[str, str]:
        for n in range(3):
            turn_end_logger("requests").info(f"request {n}")
        during = stdout.getvalue()
        await asyncio.sleep(0)
        return during, stdout.getvalue()

    with json_lines() as stdout:
        during, after = asyncio.run(one_turn(stdout))
    assert during == ""
    assert events(after) == ["request 0", "request 1", "request 2"]
    assert stdout.writes == 1


def test_any_other_line_is_written_at_once_after_those_pending() -> None:
    async def one_turn(stdout: CountingStream) -> str:
        turn_end_logger("requests").info("request")
        structlog.get_logger("ours").info("ours")
        thread = threading.Thread(
            target=lambda: logging.getLogger("theirs").warning("from a thread")
        )
        thread.start()
        thread.join()
        return stdout.getvalue()

    with json_lines() as stdout:
        written = asyncio.run(one_turn(stdout))
    assert events(written) == ["request", "ours", "from a thread"]


def test_lines_left_by_a_loop_that_stopped_come_before_the_next_loops() -> None:
    async def next_loop(stdout: CountingStream) -> str:
        turn_end_logger("requests").info("next")
        return stdout.getvalue()

    with json_lines() as stdout:
        loop = asyncio.new_event_loop()
        loop.call_soon(lambda: (turn_end_logger("requests").info("left"), loop.stop()))
        loop.run_forever()  # stops before the turn that would write "left"
        loop.close()
        left = stdout.getvalue()
        written_by_the_next = asyncio.run(next_loop(stdout))
    assert left == ""
    assert events(written_by_the_next) == ["left"]
    assert events(stdout.getvalue()) == ["left", "next"]


def test_lines_still_pending_at_exit_are_written() -> None:
    printed = python_output(
        "import asyncio\n"
        "from app.core.log import configure_logging, turn_end_logger\n"
        "configure_logging(json=True)\n"
        "log = turn_end_logger('requests')\n"
        "loop = asyncio.new_event_loop()\n"
        "loop.call_soon(lambda: (log.info('last'), loop.stop()))\n"
        "loop.run_forever()\n"
    )
    assert events(printed) == ["last"]


def test_timestamps_are_utc_to_the_microsecond() -> None:
    before = datetime.now(UTC)
    with json_lines() as stdout:
        structlog.get_logger().info("stamped")
    stamp = parse_json(stdout.getvalue())["timestamp"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", stamp)
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(stamp)
    assert datetime.fromisoformat(stamp) <= datetime.now(UTC)


def test_a_timestamp_in_the_next_second_carries_that_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stamp = UtcTimestamper()
    for now_ns, expected in (
        (1_700_000_000_999_999_000, "2023-11-14T22:13:20.999999Z"),
        (1_700_000_001_000_001_000, "2023-11-14T22:13:21.000001Z"),
    ):
        monkeypatch.setattr(log, "time_ns", lambda now_ns=now_ns: now_ns)
        assert stamp(None, "info", {})["timestamp"] == expected
