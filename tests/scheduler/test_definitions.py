"""The jobs defined in code: the plant's day, the simulation, maintenance."""

from app.components.scheduler.actions import enqueue_tasks
from app.components.scheduler.definitions import SIMULATION, job_specs
from app.components.worker.queues import task_catalog
from tests.conftest import settings_for

SETTINGS = settings_for("postgresql://x@y/z", "redis://x:1/0")

TIMELINE_IDS = [
    "burns_opens_plant",
    "smithers_morning_briefing",
    "lenny_carl_arrive",
    "homer_alarm_snooze",
    "homer_clocks_in",
    "morning_donut_run",
    "sector_7g_inspection",
    "homer_descends_to_7g",
    "health_inspector_visit",
    "homer_nap_attempt",
    "burns_announcement",
    "lunch_at_moes",
    "afternoon_diagnostics",
    "homer_safety_check",
    "carl_files_reports",
    "cooling_tower_check",
    "homer_another_donut",
    "end_of_shift",
    "evening_handoff",
    "night_maintenance",
]


def test_the_plants_day_is_twenty_jobs_from_six_to_ten() -> None:
    timeline = [spec for spec in job_specs(SETTINGS) if spec.kind == "timeline"]
    assert [spec.id for spec in timeline] == TIMELINE_IDS
    assert timeline[0].schedule == "daily at 06:00 (America/Chicago)"
    assert timeline[-1].schedule == "daily at 22:00 (America/Chicago)"


def test_every_scheduled_task_exists_on_the_queue_named() -> None:
    catalog = task_catalog()
    for spec in job_specs(SETTINGS):
        if spec.action is enqueue_tasks:
            queue, tasks = spec.args
            for task in tasks:
                assert catalog.resolve(task, queue), (spec.id, task)
        else:
            queue = spec.args[0]
            assert catalog.resolve(f"{queue}_sim_task", queue), spec.id


def test_one_simulation_job_per_queue_and_homer_falls_behind_by_design() -> None:
    sims = {
        spec.args[0]: spec for spec in job_specs(SETTINGS) if spec.kind == "simulation"
    }
    assert set(sims) == set(task_catalog().queues)
    homer = next(entry for entry in SIMULATION if entry[0] == "homer")
    _, every_s, batch_min, batch_max, _ = homer
    arriving_per_s = (batch_min + batch_max) / 2 / every_s
    serving_per_s = 3 / 9  # three slots, shifts of 6 to 12 s
    assert arriving_per_s > serving_per_s


def test_the_simulation_can_be_switched_off_and_sped_up() -> None:
    off = settings_for("postgresql://x@y/z", "redis://x:1/0", SIMULATION_ENABLED=False)
    fast = settings_for(
        "postgresql://x@y/z", "redis://x:1/0", SIMULATION_TIME_SCALE=0.1
    )
    assert not [spec for spec in job_specs(off) if spec.kind == "simulation"]
    schedules = {spec.id: spec.schedule for spec in job_specs(fast)}
    assert schedules["sim_homer"] == "every 1 s"
    assert schedules["sim_grimey"] == "every 360 s"


def test_maintenance_backs_up_prunes_snapshots_and_audits() -> None:
    maintenance = {
        spec.id: spec.args[1][0]
        for spec in job_specs(SETTINGS)
        if spec.kind == "maintenance"
    }
    assert maintenance == {
        "database_backup": "backup_database",
        "prune_history": "prune_task_history",
        "grimey_audit": "audit_task_history",
        "trim_event_stream": "trim_event_stream",
        "health_snapshot": "system_health_check",
    }
