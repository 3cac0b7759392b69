"""The health tree over a running plant: Homer's failures are a warning only."""

from pathlib import Path

from app.core.config import Settings
from app.core.topology import load_topology
from tests.utils.http import app_client, bearer
from tests.utils.processes import eventually, start_scheduler, start_worker
from tests.utils.users import create_user, log_in

QUIET = {"SIMULATION_TIME_SCALE": "0", "SIMULATION_ENABLED": "false"}
OTHERS = {
    "inanimate_rod": "trim_event_stream",
    "lenny": "file_report_task",
    "carl": "make_announcement_task",
    "charlie": "log_shift_notes_task",
    "grimey": "grimey_sim_task",
}


async def test_homer_failing_a_quarter_leaves_the_system_up(
    make_settings, tmp_path: Path
) -> None:
    # Seven processes at work on a small machine: the CPU is not under test.
    settings: Settings = make_settings(HEALTH_CPU_PERCENT=(100.0, 100.0))
    processes = [
        start_worker(settings, queue, tmp_path, **QUIET)
        for queue in load_topology().queues
    ]
    processes.append(start_scheduler(settings, tmp_path, "scheduler", **QUIET))
    try:
        async with app_client(settings) as client:
            await create_user(settings, "burns@springfield-nuclear.com", admin=True)
            auth = bearer(await log_in(client, "burns@springfield-nuclear.com"))
            tasks = ["homer_sim_task"] * 80 + list(OTHERS.values())
            for task in tasks:
                response = await client.post(
                    "/api/v1/tasks/enqueue", json={"task": task}, headers=auth
                )
                assert response.status_code == 202

            async def all_finished() -> bool:
                page = await client.get(
                    "/api/v1/tasks/history",
                    params={"status": ["completed", "failed"], "limit": 1},
                    headers=auth,
                )
                return page.json()["total"] == len(tasks)

            await eventually(all_finished, timeout_s=120, message="every job to finish")
            tree = (await client.get("/health/detailed", headers=auth)).json()
    finally:
        for process in processes:
            process.stop()
    queues = tree["components"]["worker"]["components"]
    homer = queues["homer"]
    assert homer["status"] == "warning", homer
    assert 10 <= homer["metadata"]["failure_rate_percent"] < 50
    assert {queues[q]["status"] for q in OTHERS} == {"healthy"}
    assert tree["components"]["worker"]["status"] == "warning"
    assert tree["components"]["scheduler"]["status"] == "healthy"
    assert tree["healthy"] is True and tree["status"] != "unhealthy"
