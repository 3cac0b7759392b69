"""Logging: structlog for our lines and, through the same processors, everyone else's.

Each process calls `configure_logging` once from its entry point. Library
records (uvicorn, SQLAlchemy, arq, APScheduler) pass through the same chain, so
every line on stdout has one format: coloured console in dev, JSON in prod.

Our own lines skip the standard library's logging (its records, handlers and
locks cost more than rendering the line): structlog renders them and hands
them to the sink, which matters for the one line each request logs.
"""

import asyncio
import atexit
import json
import logging
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from time import time_ns
from typing import Any

import orjson
import structlog
from structlog.typing import (
    EventDict,
    FilteringBoundLogger,
    Processor,
    WrappedLogger,
)

# Keys whose values never reach a log line, whoever passes them.
REDACTED_KEYS = frozenset(
    {"password", "secret", "secret_key", "token", "access_token", "authorization"}
)

# Library loggers that would otherwise repeat what our request log says.
SILENCED_LOGGERS = {"uvicorn.access": logging.WARNING}


class LineSink:
    """Every rendered line, ours and the libraries', on its way to stdout.

    Lines are written at once, in order, except those logged "at turn end"
    while an event loop runs (the request log line): these are written when
    the loop ends its turn, joined with the others of that turn. Under load
    the webserver answers many requests per turn, and a write per line is a
    system call each (with PYTHONUNBUFFERED, as containers often set, even
    without a flush). Any other line is written after those pending, so the
    order holds; a process that ends on a signal (uvicorn re-raises SIGTERM
    once shut down) has written its last line itself, and with it the rest.
    `sys.stdout` is looked up per write, for a swapped stream (pytest's).
    """

    def __init__(self) -> None:
        self._pending: list[str] = []
        self._flush_on: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def write(self, line: str, *, at_turn_end: bool = False) -> None:
        loop = _running_loop() if at_turn_end else None
        with self._lock:
            if loop is not None and loop is not self._flush_on:
                # Lines left by a loop that has ended, or by another thread's
                # loop, go first; this loop's are written at its turn's end.
                self._write_pending()
                self._flush_on = loop
                loop.call_soon(self.flush)
            self._pending.append(line + "\n")
            if loop is None:
                self._write_pending()

    def flush(self) -> None:
        with self._lock:
            self._flush_on = None
            self._write_pending()

    def _write_pending(self) -> None:
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        try:
            stream = sys.stdout
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            # stdout is gone (a closed pipe): nothing can be written, and
            # reporting it would log again, and fail again.
            pass


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


SINK = LineSink()
# The second argument to `structlog.get_logger` that makes a turn-end logger.
AT_TURN_END = "at-turn-end"


class SinkLogger:
    """structlog's logger: a named way into the sink."""

    def __init__(self, name: str = "", *, at_turn_end: bool = False) -> None:
        self.name = name
        self.at_turn_end = at_turn_end

    def msg(self, message: str) -> None:
        SINK.write(message, at_turn_end=self.at_turn_end)

    debug = info = warning = error = critical = exception = log = msg


def sink_logger(*args: str) -> SinkLogger:
    """structlog's logger factory: `get_logger(name)` names the line's logger;
    `get_logger(name, AT_TURN_END)` also defers its lines to the turn's end."""
    return SinkLogger(args[0] if args else "", at_turn_end=AT_TURN_END in args[1:])


def turn_end_logger(name: str) -> FilteringBoundLogger:
    """A logger for a line logged on every request: written, with the others
    of its event-loop turn, when the turn ends (see LineSink)."""
    return structlog.get_logger(name, AT_TURN_END)


class SinkHandler(logging.Handler):
    """The standard library's records, formatted, into the same sink."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            SINK.write(self.format(record))
        except Exception:
            self.handleError(record)


class UtcTimestamper:
    """`timestamp`: ISO 8601 in UTC, always to the microsecond.

    The date and time of day are formatted once per second; structlog's
    TimeStamper builds a datetime for every line.
    """

    def __init__(self) -> None:
        # One tuple, replaced whole, so that a thread never pairs one
        # second with another's text.
        self._second_and_text = (-1, "")

    def __call__(self, _: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        second, micro = divmod(time_ns() // 1000, 1_000_000)
        cached, text = self._second_and_text
        if second != cached:
            text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second_and_text = (second, text)
        event_dict["timestamp"] = f"{text}.{micro:06d}Z"
        return event_dict


def render_json(event_dict: EventDict, default: Callable[[Any], Any]) -> str:
    """One JSON line, by orjson (a tenth of the standard library's time), or
    by the standard library for what orjson refuses (integers beyond 64 bits)."""
    try:
        return orjson.dumps(
            event_dict, default=default, option=orjson.OPT_NON_STR_KEYS
        ).decode()
    except orjson.JSONEncodeError:
        return json.dumps(event_dict, default=default)


def redact_secrets(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    for key in REDACTED_KEYS.intersection(event_dict):
        event_dict[key] = "***"
    # uvicorn's coloured copy of its own message, passed as an `extra`.
    event_dict.pop("color_message", None)
    return event_dict


def configure_logging(*, json: bool, level: str = "INFO") -> None:
    """Route structlog and stdlib logging to stdout in one format."""
    head: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
    ]
    tail: list[Processor] = [UtcTimestamper(), redact_secrets]
    renderer: Processor
    if json:
        renderer = structlog.processors.JSONRenderer(serializer=render_json)
        # Tracebacks as plain text: without each frame's local variables
        # (which can hold a password or a token).
        tail.append(structlog.processors.format_exc_info)
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stdout.isatty(),
            # Plain: a frame's local variables can hold a password or a token.
            exception_formatter=structlog.dev.plain_traceback,
        )
    # Only library records carry `extra=` values; ExtraAdder makes them keys.
    foreign: list[Processor] = [*head, structlog.stdlib.ExtraAdder(), *tail]

    structlog.configure(
        processors=[*head, *tail, renderer],
        logger_factory=sink_logger,
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
    handler = SinkHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=foreign,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    for name, logger_level in SILENCED_LOGGERS.items():
        logging.getLogger(name).setLevel(logger_level)
    # Lines still pending when the interpreter exits (the loop has stopped).
    atexit.unregister(SINK.flush)
    atexit.register(SINK.flush)
