"""Charlie's queue: gauges, the break room and the emergency exits."""

import random
import time
from typing import Any, Literal, get_args

from app.components.worker.tasks.pace import (
    SimulatedFailureError,
    TaskContext,
    pause,
    report,
)

CHARACTER = "Charlie"

# Charlie has the odd slip: three simulated activities in a hundred fail.
SIM_FAILURE_RATE = 0.03
# Homer parks wherever he likes; exit E-3 is blocked about a third of the time.
HOMER_CAR_RATE = 0.3

# Each gauge: its name and the range of a normal reading.
GAUGES = (
    ("core temperature (C)", 280.0, 320.0),
    ("coolant pressure (bar)", 150.0, 160.0),
    ("turbine speed (rpm)", 2950.0, 3050.0),
    ("tank radiation (mSv/h)", 0.1, 2.5),
)
BREAK_ROOM_ITEMS = ("coffee", "donuts", "napkins", "sugar packets", "paper cups")
EXITS = ("E-1", "E-2", "E-3", "E-4", "E-5", "E-6")
Activity = Literal[
    "Mopping up a suspicious green puddle",
    "Testing the intercom in sector 7G",
    "Refilling the first aid kit",
    "Replacing the bulb in an exit sign",
    "Checking the fire extinguisher tags",
    "Sweeping the turbine hall walkway",
    "Restocking the hazmat suit closet",
    "Tightening a loose handrail",
    "Logging a drip from pipe 12",
    "Freeing a jammed locker room door",
    "Reading the Geiger counter in the lobby",
    "Oiling the squeaky cafeteria cart",
    "Taping down a loose cable",
    "Testing the emergency shower",
    "Changing the control room air filter",
    "Counting the hard hats on the rack",
    "Resetting the days-without-an-accident sign",
    "Nudging a three-eyed fish back into the pond",
    "Checking the smoke detector batteries",
    "Putting out a wet floor cone",
]
ACTIVITIES: tuple[Activity, ...] = get_args(Activity)


async def monitor_gauges_task(ctx: TaskContext) -> dict[str, Any]:
    """Charlie reads the four main gauges, one after another."""
    started = time.perf_counter()
    readings: dict[str, float] = {}
    for name, low, high in GAUGES:
        await pause(ctx, 0.7, 1.5)
        readings[name] = round(random.uniform(low, high), 2)
    return report(
        task="monitor_gauges_task",
        character=CHARACTER,
        message=f"All {len(readings)} gauges in the green. Probably.",
        started=started,
        readings=readings,
    )


async def restock_break_room_task(ctx: TaskContext) -> dict[str, Any]:
    """Charlie restocks the break room before Homer finds it."""
    started = time.perf_counter()
    restocked: dict[str, int] = {}
    for item in BREAK_ROOM_ITEMS:
        await pause(ctx, 0.7, 1.5)
        restocked[item] = random.randint(6, 48)
    return report(
        task="restock_break_room_task",
        character=CHARACTER,
        message=f"Break room restocked with {restocked['donuts']} donuts.",
        started=started,
        restocked=restocked,
    )


async def log_shift_notes_task(ctx: TaskContext) -> dict[str, Any]:
    """Charlie writes up the shift notes."""
    started = time.perf_counter()
    await pause(ctx, 0.7, 1.5)
    lines = random.randint(3, 20)
    return report(
        task="log_shift_notes_task",
        character=CHARACTER,
        message=f"Logged {lines} lines of shift notes.",
        started=started,
        lines=lines,
    )


async def check_emergency_exits_task(ctx: TaskContext) -> dict[str, Any]:
    """Charlie walks to every emergency exit and tries the door."""
    started = time.perf_counter()
    blocked: list[str] = []
    for door in EXITS:
        await pause(ctx, 0.67, 1.5)  # six doors: 4 to 9 s for the round
        if door == "E-3" and random.random() < HOMER_CAR_RATE:
            blocked.append(door)
    message = f"All {len(EXITS)} exits clear."
    if blocked:
        message = "Exit E-3 blocked by Homer's car again."
    return report(
        task="check_emergency_exits_task",
        character=CHARACTER,
        message=message,
        started=started,
        exits_checked=len(EXITS),
        blocked=blocked,
    )


async def charlie_sim_task(
    ctx: TaskContext, *, activity: Activity | None = None
) -> dict[str, Any]:
    """One of Charlie's twenty odd jobs on the plant floor."""
    started = time.perf_counter()
    activity = activity or random.choice(ACTIVITIES)
    await pause(ctx, 1, 3)
    if random.random() < SIM_FAILURE_RATE:
        raise SimulatedFailureError("Charlie slipped on the floor he had just mopped")
    return report(
        task="charlie_sim_task",
        character=CHARACTER,
        message=activity,
        started=started,
        activity=activity,
    )


TASKS = (
    monitor_gauges_task,
    check_emergency_exits_task,
    restock_break_room_task,
    log_shift_notes_task,
    charlie_sim_task,
)
