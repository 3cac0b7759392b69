"""Frank Grimes' queue: slow, thorough, and never a mistake."""

import random
import time
from typing import Any, Literal, get_args

from app.components.worker.tasks.pace import TaskContext, pause, report

CHARACTER = "Frank Grimes"

# Grimey checks everything twenty times over: each check takes 1-2 s, so a
# whole activity lasts 20-40 s. He never fails; that is rather the point.
CHECKS_PER_ACTIVITY = 20

Activity = Literal[
    "Reading the entire safety manual, appendices included",
    "Re-labelling every valve in sector 7G",
    "Auditing the reactor log line by line",
    "Correcting the spelling on Homer's incident reports",
    "Polishing his own nameplate",
    "Counting the pencils in the supply closet",
    "Measuring pipe wall thickness by hand",
    "Alphabetising the emergency procedures",
    "Matching every gauge against its spec sheet",
    "Writing a memo on proper memo formatting",
    "Re-inspecting a weld that was already fine",
    "Inventorying the tool crib down to the washers",
    "Drawing a wiring diagram nobody asked for",
    "Verifying the calibration date on every meter",
    "Timing the evacuation route with a stopwatch",
    "Filing a complaint about the state of the break room",
    "Testing each emergency light in turn",
    "Recording the torque on every bolt of pump 3",
    "Tracing a coolant line from end to end",
    "Studying for a certificate he already holds",
]
ACTIVITIES: tuple[Activity, ...] = get_args(Activity)


async def grimey_sim_task(
    ctx: TaskContext, *, activity: Activity | None = None
) -> dict[str, Any]:
    """Frank Grimes does one job properly, every step checked."""
    started = time.perf_counter()
    activity = activity or random.choice(ACTIVITIES)
    seconds = 0.0
    for _ in range(CHECKS_PER_ACTIVITY):
        seconds += await pause(ctx, 1, 2)
    return report(
        task="grimey_sim_task",
        character=CHARACTER,
        message=activity,
        started=started,
        activity=activity,
        checks_passed=CHECKS_PER_ACTIVITY,
        seconds_spent=round(seconds, 1),
    )


TASKS = (grimey_sim_task,)
