"""JSON for everything arq stores: job arguments and results.

arq pickles by default, and unpickling data from Redis executes whatever is
in it. JSON cannot; exceptions (a failed job's "result") become plain dicts.
"""

import json
from datetime import date, datetime
from typing import Any


def _encode(value: Any) -> Any:
    if isinstance(value, BaseException):
        return {"error": type(value).__name__, "message": str(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def dumps(value: Any) -> bytes:
    return json.dumps(value, default=_encode, separators=(",", ":")).encode()


def loads(data: bytes | str) -> Any:
    return json.loads(data)
