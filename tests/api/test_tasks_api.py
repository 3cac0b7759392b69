"""The task API without workers: catalog, validation, history, cancel."""

import redis
from httpx import AsyncClient

from app.core.config import Settings
from app.models.user import User
from tests.utils.http import bearer
from tests.utils.users import create_user, log_in

TASKS = "/api/v1/tasks"


async def _enqueue(client: AsyncClient, token: str, **body):
    return await client.post(f"{TASKS}/enqueue", json=body, headers=bearer(token))


async def test_catalog_lists_every_queue_with_described_tasks(
    client: AsyncClient, user_token: str
) -> None:
    queues = (await client.get(TASKS, headers=bearer(user_token))).json()
    assert [q["name"] for q in queues] == [
        "inanimate_rod",
        "homer",
        "lenny",
        "carl",
        "charlie",
        "grimey",
    ]
    tasks = [task for queue in queues for task in queue["tasks"]]
    assert len(tasks) >= 29
    assert all(task["description"] for task in tasks)
    homer_sim = next(t for t in tasks if t["name"] == "homer_sim_task")
    assert "activity" in homer_sim["options"]["properties"]


async def test_catalog_of_one_queue(client: AsyncClient, user_token: str) -> None:
    queues = (
        await client.get(TASKS, params={"queue": "grimey"}, headers=bearer(user_token))
    ).json()
    assert [q["name"] for q in queues] == ["grimey"]


async def test_enqueue_defaults_to_the_tasks_own_queue_and_records_history(
    client: AsyncClient, settings: Settings, user: User, user_token: str
) -> None:
    response = await _enqueue(client, user_token, task="eat_donut_task")
    job = response.json()
    assert response.status_code == 202
    assert (job["queue"], job["status"], job["source"]) == ("homer", "enqueued", "api")
    with redis.Redis.from_url(settings.redis_dsn) as r:
        assert r.zscore("arq:queue:homer", job["job_id"]) is not None


async def test_enqueue_refuses_a_task_of_another_queue(
    client: AsyncClient, user_token: str
) -> None:
    response = await _enqueue(client, user_token, task="eat_donut_task", queue="lenny")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "task_not_in_queue"


async def test_enqueue_unknown_task_or_queue_is_404(
    client: AsyncClient, user_token: str
) -> None:
    task = await _enqueue(client, user_token, task="win_the_lottery")
    queue = await _enqueue(client, user_token, task="eat_donut_task", queue="moe")
    assert (task.status_code, task.json()["error"]["code"]) == (404, "unknown_task")
    assert (queue.status_code, queue.json()["error"]["code"]) == (404, "unknown_queue")


async def test_enqueue_validates_options(client: AsyncClient, user_token: str) -> None:
    unknown = await _enqueue(
        client, user_token, task="eat_donut_task", options={"flavour": "pink"}
    )
    bad = await _enqueue(
        client, user_token, task="homer_sim_task", options={"activity": "working"}
    )
    assert (
        unknown.status_code == 422 and "flavour" in unknown.json()["error"]["message"]
    )
    assert bad.status_code == 422 and "activity" in bad.json()["error"]["message"]


async def test_enqueue_needs_a_login(client: AsyncClient) -> None:
    response = await client.post(f"{TASKS}/enqueue", json={"task": "eat_donut_task"})
    assert response.status_code == 401


async def test_status_and_result_of_unknown_or_unfinished_jobs(
    client: AsyncClient, user_token: str
) -> None:
    job_id = (await _enqueue(client, user_token, task="rush_out_task")).json()["job_id"]
    missing = await client.get(f"{TASKS}/nope", headers=bearer(user_token))
    unfinished = await client.get(
        f"{TASKS}/{job_id}/result", headers=bearer(user_token)
    )
    assert missing.status_code == 404
    assert (unfinished.status_code, unfinished.json()["error"]["code"]) == (
        409,
        "not_finished",
    )


async def test_history_pages_across_every_queue_in_one_order(
    client: AsyncClient, user_token: str
) -> None:
    names = ["rush_out_task", "file_report_task", "log_shift_notes_task"] * 5
    jobs = [
        (await _enqueue(client, user_token, task=n)).json()["job_id"] for n in names
    ]

    pages = [
        (
            await client.get(
                f"{TASKS}/history",
                params={"offset": offset, "limit": 4},
                headers=bearer(user_token),
            )
        ).json()
        for offset in range(0, 16, 4)
    ]
    seen = [item["job_id"] for page in pages for item in page["items"]]
    assert pages[0]["total"] == 15
    assert seen == list(reversed(jobs))  # newest first, none twice, none missing


async def test_history_filters_by_queue_and_status(
    client: AsyncClient, user_token: str
) -> None:
    for name in ["rush_out_task", "rush_out_task", "file_report_task"]:
        await _enqueue(client, user_token, task=name)
    homer = (
        await client.get(
            f"{TASKS}/history", params={"queue": "homer"}, headers=bearer(user_token)
        )
    ).json()
    completed = (
        await client.get(
            f"{TASKS}/history",
            params={"status": "completed"},
            headers=bearer(user_token),
        )
    ).json()
    oldest = (
        await client.get(
            f"{TASKS}/history", params={"order": "oldest"}, headers=bearer(user_token)
        )
    ).json()
    assert homer["total"] == 2
    assert completed["total"] == 0
    assert oldest["items"][0]["task"] == "rush_out_task"


async def test_cancel_a_waiting_job_removes_it_from_its_queue(
    client: AsyncClient, settings: Settings, user_token: str
) -> None:
    job_id = (await _enqueue(client, user_token, task="go_to_moes_task")).json()[
        "job_id"
    ]
    cancelled = await client.post(
        f"{TASKS}/{job_id}/cancel", headers=bearer(user_token)
    )
    again = await client.post(f"{TASKS}/{job_id}/cancel", headers=bearer(user_token))
    assert cancelled.json()["status"] == "cancelled"
    assert again.status_code == 409
    with redis.Redis.from_url(settings.redis_dsn) as r:
        assert r.zscore("arq:queue:homer", job_id) is None


async def test_only_the_owner_or_an_admin_may_cancel(
    client: AsyncClient, settings: Settings, user_token: str
) -> None:
    job_id = (await _enqueue(client, user_token, task="go_to_moes_task")).json()[
        "job_id"
    ]
    await create_user(settings, "lenny@springfield-nuclear.com")
    other = await log_in(client, "lenny@springfield-nuclear.com")
    await create_user(settings, "burns@springfield-nuclear.com", admin=True)
    admin = await log_in(client, "burns@springfield-nuclear.com")

    refused = await client.post(f"{TASKS}/{job_id}/cancel", headers=bearer(other))
    allowed = await client.post(f"{TASKS}/{job_id}/cancel", headers=bearer(admin))
    assert (refused.status_code, allowed.status_code) == (403, 200)
