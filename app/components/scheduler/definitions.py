"""Every scheduled job, defined in code: the plant's day, the simulation, and
maintenance. The scheduler makes its job store match this list at start-up.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from app.components.scheduler.actions import enqueue_tasks, simulate
from app.core.config import Settings

Kind = Literal["timeline", "simulation", "maintenance"]

# The plant's day: (local time, job id, name, queue, tasks).
TIMELINE = (
    ("06:00", "burns_opens_plant", "Burns Opens Plant", "lenny", ("open_plant_task",)),
    (
        "06:30",
        "smithers_morning_briefing",
        "Smithers Morning Briefing",
        "carl",
        ("morning_briefing_task",),
    ),
    (
        "07:00",
        "lenny_carl_arrive",
        "Lenny & Carl Arrive",
        "lenny",
        ("morning_inspection_task", "run_diagnostics_task"),
    ),
    (
        "07:45",
        "homer_alarm_snooze",
        "Homer Alarm Snooze",
        "homer",
        ("nap_at_console_task",),
    ),
    ("08:15", "homer_clocks_in", "Homer Clocks In (Late)", "homer", ("clock_in_task",)),
    ("08:30", "morning_donut_run", "Morning Donut Run", "homer", ("eat_donut_task",)),
    (
        "09:00",
        "sector_7g_inspection",
        "Sector 7G Inspection",
        "lenny",
        ("morning_inspection_task", "file_report_task"),
    ),
    (
        "09:45",
        "homer_descends_to_7g",
        "Homer Descends to 7G",
        "homer",
        ("eat_donut_task",),
    ),
    (
        "10:00",
        "health_inspector_visit",
        "NRC Inspector Visit",
        "carl",
        ("handle_inspector_task",),
    ),
    (
        "10:30",
        "homer_nap_attempt",
        "Homer Nap Attempt",
        "homer",
        ("nap_at_console_task",),
    ),
    (
        "11:30",
        "burns_announcement",
        "Burns Announcement",
        "carl",
        ("make_announcement_task",),
    ),
    ("12:00", "lunch_at_moes", "Lunch at Moe's", "homer", ("go_to_moes_task",)),
    (
        "13:00",
        "afternoon_diagnostics",
        "Afternoon Diagnostics",
        "lenny",
        ("run_diagnostics_task", "file_report_task"),
    ),
    (
        "14:00",
        "homer_safety_check",
        "Homer Safety Check",
        "homer",
        ("attempt_safety_check_task",),
    ),
    (
        "15:00",
        "carl_files_reports",
        "Carl Files Reports",
        "carl",
        ("file_afternoon_reports_task",),
    ),
    (
        "16:00",
        "cooling_tower_check",
        "Cooling Tower Check",
        "lenny",
        ("check_cooling_tower_task",),
    ),
    (
        "16:30",
        "homer_another_donut",
        "Homer Afternoon Donut",
        "homer",
        ("eat_donut_task",),
    ),
    ("17:00", "end_of_shift", "End of Shift", "homer", ("rush_out_task",)),
    (
        "17:30",
        "evening_handoff",
        "Evening Shift Handoff",
        "carl",
        ("shift_handoff_task",),
    ),
    (
        "22:00",
        "night_maintenance",
        "Night Maintenance",
        "lenny",
        ("night_maintenance_task",),
    ),
)

# The simulation: (queue, every s, batch min, batch max, depth cap). Homer's
# three slots finish a 6-12 s shift about every 3 s, while batches of 3-5
# arrive every 10 s: his backlog grows until the cap, by design. Everyone
# else clears their batches long before the next one comes.
SIMULATION = (
    ("homer", 10, 3, 5, 500),
    ("lenny", 15, 4, 6, 100),
    ("carl", 15, 4, 6, 100),
    ("charlie", 15, 4, 6, 100),
    ("inanimate_rod", 45, 2, 3, 50),
    ("grimey", 3600, 1, 1, 5),
)

# The shortest simulation interval, however fast SIMULATION_TIME_SCALE runs.
MIN_INTERVAL_S = 1.0

# Maintenance: (job id, name, trigger, queue, task, description).
MAINTENANCE = (
    (
        "database_backup",
        "Database Backup",
        "daily 03:00",
        "inanimate_rod",
        "backup_database",
    ),
    (
        "prune_history",
        "Prune History",
        "daily 04:00",
        "inanimate_rod",
        "prune_task_history",
    ),
    ("grimey_audit", "Grimey's Audit", "daily 23:00", "grimey", "audit_task_history"),
    (
        "trim_event_stream",
        "Trim Event Stream",
        "hourly",
        "inanimate_rod",
        "trim_event_stream",
    ),
    (
        "health_snapshot",
        "Health Snapshot",
        "every 5 min",
        "inanimate_rod",
        "system_health_check",
    ),
)
_EVERY = {"hourly": timedelta(hours=1), "every 5 min": timedelta(minutes=5)}


@dataclass(frozen=True)
class JobSpec:
    id: str
    name: str
    kind: Kind
    schedule: str
    trigger: BaseTrigger
    action: Callable[..., Any]
    args: tuple[Any, ...]
    description: str


def job_specs(settings: Settings) -> list[JobSpec]:
    """Every job the scheduler runs under these settings."""
    timezone = settings.SCHEDULER_TIMEZONE
    specs = [_timeline(entry, timezone) for entry in TIMELINE]
    specs += [_maintenance(entry, timezone) for entry in MAINTENANCE]
    if settings.SIMULATION_ENABLED:
        specs += [
            _simulation(entry, settings.SIMULATION_TIME_SCALE) for entry in SIMULATION
        ]
    return specs


def _daily(at: str, timezone: str) -> tuple[CronTrigger, str]:
    hour, minute = (int(part) for part in at.split(":"))
    trigger = CronTrigger(hour=hour, minute=minute, timezone=timezone)
    return trigger, f"daily at {at} ({timezone})"


def _timeline(entry: tuple, timezone: str) -> JobSpec:
    at, job_id, name, queue, tasks = entry
    trigger, schedule = _daily(at, timezone)
    return JobSpec(
        id=job_id,
        name=name,
        kind="timeline",
        schedule=schedule,
        trigger=trigger,
        action=enqueue_tasks,
        args=(queue, list(tasks)),
        description=f"{queue}: {', '.join(tasks)}",
    )


def _maintenance(entry: tuple, timezone: str) -> JobSpec:
    job_id, name, when, queue, task = entry
    if when.startswith("daily "):
        trigger, schedule = _daily(when.removeprefix("daily "), timezone)
    else:
        every = _EVERY[when]
        trigger = IntervalTrigger(seconds=every.total_seconds(), timezone=timezone)
        schedule = when
    return JobSpec(
        id=job_id,
        name=name,
        kind="maintenance",
        schedule=schedule,
        trigger=trigger,
        action=enqueue_tasks,
        args=(queue, [task]),
        description=f"{queue}: {task}",
    )


def _simulation(entry: tuple, time_scale: float) -> JobSpec:
    queue, every_s, batch_min, batch_max, cap = entry
    interval_s = (
        max(every_s * time_scale, MIN_INTERVAL_S) if time_scale else MIN_INTERVAL_S
    )
    return JobSpec(
        id=f"sim_{queue}",
        name=f"Simulation: {queue}",
        kind="simulation",
        schedule=f"every {interval_s:g} s",
        trigger=IntervalTrigger(seconds=interval_s),
        action=simulate,
        args=(queue, batch_min, batch_max, cap),
        description=(
            f"{batch_min}-{batch_max} x {queue}_sim_task unless {cap} are waiting"
        ),
    )
