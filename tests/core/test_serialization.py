"""Job arguments and results are JSON: nothing from Redis is ever unpickled."""

from datetime import UTC, datetime

import pytest

from app.core import serialization


def test_round_trip_of_plain_data() -> None:
    value = {"a": [1, 2.5, "x", None, True], "b": {"c": "d"}}
    assert serialization.loads(serialization.dumps(value)) == value


def test_exceptions_and_times_become_plain_json() -> None:
    encoded = serialization.dumps(
        {"r": RuntimeError("meltdown"), "at": datetime(2026, 1, 1, tzinfo=UTC)}
    )
    assert serialization.loads(encoded) == {
        "r": {"error": "RuntimeError", "message": "meltdown"},
        "at": "2026-01-01T00:00:00+00:00",
    }


def test_arbitrary_objects_are_refused() -> None:
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        serialization.dumps({"x": object()})


def test_a_pickle_is_never_loaded() -> None:
    import pickle

    with pytest.raises(ValueError):
        serialization.loads(pickle.dumps({"x": 1}))
