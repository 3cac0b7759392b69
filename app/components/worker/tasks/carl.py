"""Carl's queue: paperwork, hand-offs, and the front office's messages."""

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

CHARACTER = "Carl"

# Carl almost never slips: one simulated activity in a hundred fails.
SIM_FAILURE_RATE = 0.01

INSPECTOR_DOCUMENTS = (
    "radiation exposure log",
    "fire suppression certificate",
    "waste disposal manifest",
    "staff training roster",
)
AFTERNOON_REPORTS = ("output summary", "incident digest", "supply ledger")
HANDOFF_CHECKLIST = (
    "reactor status",
    "open work orders",
    "alarms acknowledged",
    "keys returned",
    "Homer accounted for",
)
DEPARTMENTS = ("operations", "maintenance", "security", "accounting")
ANNOUNCEMENTS = (
    "Lunch is shortened to eleven minutes, effective immediately.",
    "The company picnic is cancelled. Enjoy your desks.",
    "Whoever took my hounds' biscuits will be found.",
    "Employee of the month is, once again, the carbon rod.",
    "The trapdoor in my office is purely decorative. Mostly.",
)
Activity = Literal[
    "Updating the shift roster",
    "Stamping the inspection forms",
    "Writing the weekly safety memo",
    "Ordering a new box of hard hats",
    "Reconciling the overtime sheets",
    "Checking the visitor log",
    "Filing Homer's incident reports in the thick folder",
    "Scheduling the next fire drill",
    "Taking a call from the regulator",
    "Proofreading Smithers' agenda",
    "Booking the conference room",
    "Counting the keys on the key board",
    "Reviewing the break room budget",
    "Preparing the quarterly output chart",
    "Archiving old maintenance tickets",
    "Approving Lenny's parts request",
    "Posting the new parking rules",
    "Collecting signatures for a birthday card",
    "Sorting the internal mail",
    "Typing up the morning meeting minutes",
]
ACTIVITIES: tuple[Activity, ...] = get_args(Activity)


async def handle_inspector_task(ctx: TaskContext) -> dict[str, Any]:
    """Carl pulls four documents together before the inspector arrives."""
    started = time.perf_counter()
    await asyncio.gather(*(pause(ctx, 0.5, 1) for _ in INSPECTOR_DOCUMENTS))
    await pause(ctx, 0.5, 1)
    return report(
        task="handle_inspector_task",
        character=CHARACTER,
        message="The inspector left satisfied, and saw nothing of sector 7G.",
        started=started,
        documents=list(INSPECTOR_DOCUMENTS),
    )


async def file_afternoon_reports_task(ctx: TaskContext) -> dict[str, Any]:
    """Carl files the three afternoon reports in order."""
    started = time.perf_counter()
    pages: dict[str, int] = {}
    for name in AFTERNOON_REPORTS:
        await pause(ctx, 0.5, 1)
        pages[name] = random.randint(2, 15)
    return report(
        task="file_afternoon_reports_task",
        character=CHARACTER,
        message=f"Filed {len(pages)} reports, {sum(pages.values())} pages in all.",
        started=started,
        pages=pages,
    )


async def shift_handoff_task(ctx: TaskContext) -> dict[str, Any]:
    """Carl works down the shift hand-off checklist item by item."""
    started = time.perf_counter()
    for _ in HANDOFF_CHECKLIST:
        await pause(ctx, 0.5, 1)
    return report(
        task="shift_handoff_task",
        character=CHARACTER,
        message="Shift handed off; every box ticked.",
        started=started,
        checklist=list(HANDOFF_CHECKLIST),
    )


async def make_announcement_task(ctx: TaskContext) -> dict[str, Any]:
    """Mr. Burns addresses the plant over the intercom."""
    started = time.perf_counter()
    await pause(ctx, 0.2, 0.6)
    announcement = random.choice(ANNOUNCEMENTS)
    return report(
        task="make_announcement_task",
        character="Mr. Burns",
        message=announcement,
        started=started,
        announcement=announcement,
    )


async def department_report(ctx: TaskContext) -> int:
    """One department's morning numbers: a short wait, then open issues."""
    await pause(ctx, 0.1, 0.2)
    return random.randint(0, 6)


async def morning_briefing_task(ctx: TaskContext) -> dict[str, Any]:
    """Smithers gathers every department's report for Mr. Burns."""
    started = time.perf_counter()
    issues = await asyncio.gather(*(department_report(ctx) for _ in DEPARTMENTS))
    return report(
        task="morning_briefing_task",
        character="Smithers",
        message=f"Briefing ready, sir: {sum(issues)} open issues.",
        started=started,
        open_issues=dict(zip(DEPARTMENTS, issues, strict=True)),
    )


async def carl_sim_task(
    ctx: TaskContext, *, activity: Activity | None = None
) -> dict[str, Any]:
    """One of Carl's twenty quiet jobs that keep the plant running."""
    started = time.perf_counter()
    activity = activity or random.choice(ACTIVITIES)
    for _ in range(2):
        await pause(ctx, 0.5, 1.2)
    await pause(ctx, 0.6, 1.6)
    if random.random() < SIM_FAILURE_RATE:
        raise SimulatedFailureError("Carl's stapler jammed halfway through the pile")
    return report(
        task="carl_sim_task",
        character=CHARACTER,
        message=activity,
        started=started,
        activity=activity,
    )


TASKS = (
    morning_briefing_task,
    make_announcement_task,
    handle_inspector_task,
    file_afternoon_reports_task,
    shift_handoff_task,
    carl_sim_task,
)
