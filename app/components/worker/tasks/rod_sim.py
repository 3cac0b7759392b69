"""The Inanimate Carbon Rod's simulated day: it mostly lies there, heroically."""

import random
import time
from typing import Any, Literal, get_args

from app.components.worker.tasks.pace import (
    SimulatedFailureError,
    TaskContext,
    pause,
    report,
)

CHARACTER = "Inanimate Carbon Rod"

# Even a rod has an off day: one simulated activity in a hundred fails.
SIM_FAILURE_RATE = 0.01

Activity = Literal[
    "Lying perfectly still",
    "Being inanimate",
    "Absorbing neutrons without complaint",
    "Holding a hatch shut in an emergency",
    "Posing for the Worker of the Week photo",
    "Resting in the tool rack",
    "Reflecting the fluorescent lights",
    "Staying exactly where it was left",
    "Moderating the reaction in silence",
    "Inspiring the night shift",
    "Appearing on a magazine cover",
    "Rolling slightly when the floor tilts",
    "Waiting in the core for its moment",
    "Ignoring Homer",
    "Accepting an award with quiet dignity",
    "Gathering dust in the control room",
    "Being made of carbon",
    "Leaning against the wall",
    "Keeping the reactor in line",
    "Standing in for the safety inspector",
]
ACTIVITIES: tuple[Activity, ...] = get_args(Activity)


async def inanimate_rod_sim_task(
    ctx: TaskContext, *, activity: Activity | None = None
) -> dict[str, Any]:
    """The Inanimate Carbon Rod does what it does best: nothing."""
    started = time.perf_counter()
    activity = activity or random.choice(ACTIVITIES)
    seconds = await pause(ctx, 1, 4)
    if random.random() < SIM_FAILURE_RATE:
        raise SimulatedFailureError("The rod rolled off the desk and under the console")
    return report(
        task="inanimate_rod_sim_task",
        character=CHARACTER,
        message=activity,
        started=started,
        activity=activity,
        motionless_seconds=round(seconds, 1),
    )


TASKS = (inanimate_rod_sim_task,)
