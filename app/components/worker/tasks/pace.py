"""How the characters spend their time: waiting, crunching, and reporting.

Every task receives arq's `ctx`. The worker puts the simulation's time scale
in it (`ctx["time_scale"]`, from SIMULATION_TIME_SCALE): 1.0 is real time,
0.01 runs a day's work a hundred times faster, 0 skips the waiting entirely.
CPU work is never scaled: it is real computation, run off the event loop so
the worker's heartbeat and its other jobs keep going.
"""

import asyncio
import random
import time
from collections.abc import Callable
from typing import Any

TaskContext = dict[str, Any]


async def pause(ctx: TaskContext, low_s: float, high_s: float) -> float:
    """Wait between `low_s` and `high_s` simulated seconds; return the seconds
    chosen (unscaled, for the report)."""
    seconds = random.uniform(low_s, high_s)
    await asyncio.sleep(seconds * ctx.get("time_scale", 1.0))
    return seconds


async def crunch[T](work: Callable[..., T], *args: Any) -> T:
    """Run CPU-bound `work(*args)` in a thread, so the event loop stays free."""
    return await asyncio.to_thread(work, *args)


class SimulatedFailureError(RuntimeError):
    """A failure the simulation stages on purpose (Homer's, mostly)."""


def report(
    *, task: str, character: str, message: str, started: float, **details: Any
) -> dict[str, Any]:
    """The result every character's task returns (JSON-serialisable).

    `started` is `time.perf_counter()` taken when the task began.
    """
    return {
        "task": task,
        "character": character,
        "message": message,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        **details,
    }
