"""Logging: structlog for our lines and, through the same processors, everyone else's.

Each process calls `configure_logging` once from its entry point. Library
records (uvicorn, SQLAlchemy, arq, APScheduler) pass through the same chain, so
every line on stdout has one format: coloured console in dev, JSON in prod.

Our own lines skip the standard library's logging (its records, handlers and
locks cost more than rendering the line): structlog renders them and writes
them to stdout itself, which matters for the one line each request logs.
"""

import json
import logging
import sys
from collections.abc import Callable
from typing import Any

import orjson
import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

# Keys whose values never reach a log line, whoever passes them.
REDACTED_KEYS = frozenset(
    {"password", "secret", "secret_key", "token", "access_token", "authorization"}
)

# Library loggers that would otherwise repeat what our request log says.
SILENCED_LOGGERS = {"uvicorn.access": logging.WARNING}


class StdoutLogger:
    """A named sink for rendered lines: one write each to `sys.stdout`, looked
    up per line so that a swapped stream (pytest's capture) gets them too."""

    def __init__(self, name: str = "") -> None:
        self.name = name

    def msg(self, message: str) -> None:
        stream = sys.stdout
        stream.write(message + "\n")
        stream.flush()

    debug = info = warning = error = critical = exception = log = msg


def stdout_logger(*args: str) -> StdoutLogger:
    """structlog's logger factory: `get_logger(name)` names the line's logger."""
    return StdoutLogger(args[0] if args else "")


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
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secrets,
    ]
    renderer: Processor
    if json:
        renderer = structlog.processors.JSONRenderer(serializer=render_json)
        # Tracebacks as plain text: without each frame's local variables
        # (which can hold a password or a token).
        shared.append(structlog.processors.format_exc_info)
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stdout.isatty(),
            # Plain: a frame's local variables can hold a password or a token.
            exception_formatter=structlog.dev.plain_traceback,
        )

    structlog.configure(
        processors=[*shared, renderer],
        logger_factory=stdout_logger,
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
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
