"""Server-sent events through a real webserver process."""

import json
from pathlib import Path

import httpx

from app.core.config import Settings
from tests.utils.processes import running_webserver
from tests.utils.users import PASSWORD, create_user

EMAIL = "carl@springfield-nuclear.com"


async def _token(http: httpx.AsyncClient) -> str:
    response = await http.post(
        "/api/v1/auth/token", data={"username": EMAIL, "password": PASSWORD}
    )
    return response.json()["access_token"]


async def _events(response: httpx.Response, count: int) -> list[dict]:
    """The first `count` events of an open stream, with their ids."""
    found: list[dict] = []
    current: dict = {}
    async for line in response.aiter_lines():
        if line.startswith("id: "):
            current["id"] = line[4:]
        elif line.startswith("data: "):
            current["data"] = json.loads(line[6:])
        elif line == "" and "data" in current:
            found.append(current)
            current = {}
            if len(found) == count:
                break
    return found


async def test_enqueues_reach_a_subscriber_in_order_and_resume_after_an_id(
    settings: Settings, tmp_path: Path
) -> None:
    await create_user(settings, EMAIL)
    with running_webserver(settings, tmp_path) as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            auth = {"Authorization": f"Bearer {await _token(http)}"}
            async with http.stream(
                "GET", "/api/v1/events/stream", headers=auth
            ) as live:
                assert live.status_code == 200
                assert live.headers["content-type"].startswith("text/event-stream")
                jobs = []
                for task in (
                    "rush_out_task",
                    "file_report_task",
                    "log_shift_notes_task",
                ):
                    enqueued = await http.post(
                        "/api/v1/tasks/enqueue", json={"task": task}, headers=auth
                    )
                    jobs.append(enqueued.json()["job_id"])
                events = await _events(live, 3)
            assert [e["data"]["job_id"] for e in events] == jobs
            assert {e["data"]["type"] for e in events} == {"job.enqueued"}

            resume = {**auth, "Last-Event-ID": events[0]["id"]}
            async with http.stream(
                "GET", "/api/v1/events/stream", headers=resume
            ) as again:
                replayed = await _events(again, 2)
            assert [e["data"]["job_id"] for e in replayed] == jobs[1:]


async def test_the_stream_needs_a_login_and_has_a_bound(
    settings: Settings, tmp_path: Path
) -> None:
    await create_user(settings, EMAIL)
    with running_webserver(settings, tmp_path, EVENT_STREAM_MAX_CLIENTS="1") as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            anonymous = await http.get("/api/v1/events/stream")
            auth = {"Authorization": f"Bearer {await _token(http)}"}
            async with http.stream(
                "GET", "/api/v1/events/stream", headers=auth
            ) as first:
                assert first.status_code == 200
                second = await http.get("/api/v1/events/stream", headers=auth)
    assert anonymous.status_code == 401
    assert second.status_code == 503
