"""Lenny's queue: the plant's routine checks, plus Mr. Burns opening up."""

import asyncio
import random
import time
from typing import Any, Literal, get_args

from app.components.worker.tasks.pace import (
    SimulatedFailureError,
    TaskContext,
    pause,
    report,
)

CHARACTER = "Lenny"

# Lenny is reliable: only one simulated activity in fifty goes wrong.
SIM_FAILURE_RATE = 0.02
# Half the time Homer is found somewhere he should not be.
HOMER_SPOTTED_RATE = 0.5

REACTOR_SYSTEMS = (
    "primary coolant pump",
    "control rod drive",
    "steam generator",
    "containment seal",
    "core thermocouples",
)
PLANT_SYSTEMS = (
    "turbine bearings",
    "feedwater valves",
    "backup generator",
    "ventilation fans",
    "waste drum seals",
    "perimeter lighting",
)
INSPECTION_AREAS = ("turbine hall", "control room", "cooling pond", "loading dock")
REPORT_TYPES = (
    "incident report",
    "coolant usage log",
    "overtime request",
    "near-miss form",
    "equipment requisition",
)
BURNS_MOODS = ("scheming", "gleeful", "suspicious", "irritable", "nostalgic")
Activity = Literal[
    "Calibrating the turbine vibration sensors",
    "Double-checking Homer's logbook entries",
    "Replacing a fuse in panel 4",
    "Logging coolant flow rates",
    "Trading a pudding cup with Carl",
    "Rinsing his eye at the eyewash station",
    "Updating the reactor status whiteboard",
    "Test-starting the backup diesel generator",
    "Walking the perimeter fence line",
    "Checking the pressure relief valves",
    "Sorting the spare parts drawer",
    "Reviewing last night's alarm history",
    "Reading the boron tank level",
    "Showing a new hire how the badge reader works",
    "Inspecting the steam line insulation",
    "Resetting a tripped breaker in the turbine hall",
    "Cross-checking the control rod positions",
    "Noting the cooling pond temperature",
    "Dusting off the radiation monitors",
    "Helping Carl carry a crate of forms",
]
ACTIVITIES: tuple[Activity, ...] = get_args(Activity)


async def run_diagnostics_task(ctx: TaskContext) -> dict[str, Any]:
    """Lenny runs diagnostics on five reactor systems at once."""
    started = time.perf_counter()
    seconds = await asyncio.gather(*(pause(ctx, 0.5, 1) for _ in REACTOR_SYSTEMS))
    return report(
        task="run_diagnostics_task",
        character=CHARACTER,
        message=f"All {len(REACTOR_SYSTEMS)} reactor systems answered.",
        started=started,
        systems={
            name: round(s, 2) for name, s in zip(REACTOR_SYSTEMS, seconds, strict=True)
        },
    )


async def file_report_task(ctx: TaskContext) -> dict[str, Any]:
    """Lenny files a report with the front office."""
    started = time.perf_counter()
    await pause(ctx, 0.5, 1)
    kind = random.choice(REPORT_TYPES)
    pages = random.randint(1, 12)
    return report(
        task="file_report_task",
        character=CHARACTER,
        message=f"Filed a {pages}-page {kind}.",
        started=started,
        report_type=kind,
        pages=pages,
    )


async def read_sensor(ctx: TaskContext) -> float:
    """One cooling tower sensor: a short wait, then a temperature in Celsius."""
    await pause(ctx, 0.5, 1)
    return round(random.uniform(28.0, 42.0), 1)


async def check_cooling_tower_task(ctx: TaskContext) -> dict[str, Any]:
    """Lenny reads the eight cooling tower sensors together."""
    started = time.perf_counter()
    readings = await asyncio.gather(*(read_sensor(ctx) for _ in range(8)))
    average = round(sum(readings) / len(readings), 1)
    return report(
        task="check_cooling_tower_task",
        character=CHARACTER,
        message=f"Cooling tower averaging {average} C.",
        started=started,
        readings_c=list(readings),
        average_c=average,
    )


async def morning_inspection_task(ctx: TaskContext) -> dict[str, Any]:
    """Lenny walks four areas of the plant, one after another."""
    started = time.perf_counter()
    for _ in INSPECTION_AREAS:
        await pause(ctx, 0.5, 1)
    spotted = random.random() < HOMER_SPOTTED_RATE
    message = "Inspection done."
    if spotted:
        message += " Homer spotted asleep in the control room."
    return report(
        task="morning_inspection_task",
        character=CHARACTER,
        message=message,
        started=started,
        areas=list(INSPECTION_AREAS),
        homer_spotted=spotted,
    )


async def open_plant_task(ctx: TaskContext) -> dict[str, Any]:
    """Mr. Burns unlocks the gates and surveys his domain."""
    started = time.perf_counter()
    await pause(ctx, 0.4, 1)
    mood = random.choice(BURNS_MOODS)
    return report(
        task="open_plant_task",
        character="Mr. Burns",
        message=f"The plant is open. Mr. Burns is feeling {mood}. Excellent.",
        started=started,
        mood=mood,
    )


async def night_maintenance_task(ctx: TaskContext) -> dict[str, Any]:
    """Lenny's night crew services six plant systems in parallel."""
    started = time.perf_counter()
    await asyncio.gather(*(pause(ctx, 0.2, 0.6) for _ in PLANT_SYSTEMS))
    return report(
        task="night_maintenance_task",
        character=CHARACTER,
        message=f"Serviced {len(PLANT_SYSTEMS)} systems overnight.",
        started=started,
        systems=list(PLANT_SYSTEMS),
    )


async def lenny_sim_task(
    ctx: TaskContext, *, activity: Activity | None = None
) -> dict[str, Any]:
    """One of Lenny's twenty everyday jobs around the plant."""
    started = time.perf_counter()
    activity = activity or random.choice(ACTIVITIES)
    await asyncio.gather(*(pause(ctx, 0.3, 1) for _ in range(3)))
    await pause(ctx, 0.8, 2)
    if random.random() < SIM_FAILURE_RATE:
        raise SimulatedFailureError("Lenny got something in his eye and lost his place")
    return report(
        task="lenny_sim_task",
        character=CHARACTER,
        message=activity,
        started=started,
        activity=activity,
        checks_done=3,
    )


TASKS = (
    open_plant_task,
    morning_inspection_task,
    run_diagnostics_task,
    check_cooling_tower_task,
    file_report_task,
    night_maintenance_task,
    lenny_sim_task,
)
