"""The health tree: summary, details, statuses, caching, timeouts, secrets."""

import asyncio
import socket
import time
from collections.abc import Generator
from pathlib import Path

import psycopg
import pytest
from httpx import AsyncClient
from prometheus_client.parser import text_string_to_metric_families

from app.components.backend.app import create_app
from app.core.config import Settings
from app.devstack.servers import RedisServer, TraefikServer, free_port
from app.integrations.dashboard import mount_dashboard
from app.services.tasks.workers import WorkerPresence
from tests.utils.http import app_client, bearer
from tests.utils.users import create_user, log_in

COMPONENTS = {"backend", "database", "cache", "worker", "scheduler", "ingress", "auth"}


async def _admin(client: AsyncClient, settings: Settings) -> dict[str, str]:
    await create_user(settings, "burns@springfield-nuclear.com", admin=True)
    return bearer(await log_in(client, "burns@springfield-nuclear.com"))


async def test_the_summary_is_public_and_holds_statuses_only(
    client: AsyncClient,
) -> None:
    response = await client.get("/health/")
    body = response.json()
    assert set(body) == {"status", "healthy", "checked_at", "components"}
    assert set(body["components"]) == COMPONENTS
    assert set(body["components"].values()) <= {
        "healthy",
        "info",
        "warning",
        "unhealthy",
    }
    # No scheduler leads in this test: unhealthy, and so is the system.
    assert body["components"]["scheduler"] == "unhealthy"
    assert (response.status_code, body["healthy"]) == (503, False)


async def test_the_tree_is_for_administrators(
    client: AsyncClient, settings: Settings, user_token: str
) -> None:
    anonymous = await client.get("/health/detailed")
    user = await client.get("/health/detailed", headers=bearer(user_token))
    admin = await client.get("/health/detailed", headers=await _admin(client, settings))
    tree = admin.json()
    assert (anonymous.status_code, user.status_code) == (401, 403)
    assert set(tree["components"]) == COMPONENTS
    assert tree["components"]["database"]["metadata"]["current_migration"]
    assert set(tree["components"]["backend"]["components"]) == {"cpu", "memory", "disk"}
    assert tree["components"]["backend"]["metadata"]["total_endpoints"] > 20
    assert set(tree["components"]["worker"]["components"]) == {
        "inanimate_rod", "homer", "lenny", "carl", "charlie", "grimey"
    }  # fmt: skip
    assert tree["components"]["ingress"]["status"] == "info"  # no Traefik configured
    assert all(c["response_time_ms"] is not None for c in tree["components"].values())


async def test_a_fresh_tree_is_served_again_for_a_few_seconds(make_settings) -> None:
    async with app_client(make_settings(HEALTH_CACHE_SECONDS=30)) as client:
        first = (await client.get("/health/")).json()["checked_at"]
        second = (await client.get("/health/")).json()["checked_at"]
    async with app_client(make_settings(HEALTH_CACHE_SECONDS=0)) as client:
        third = (await client.get("/health/")).json()["checked_at"]
        await asyncio.sleep(0.01)
        fourth = (await client.get("/health/")).json()["checked_at"]
    assert first == second
    assert third != fourth


@pytest.fixture
def silent_server() -> Generator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


async def test_a_check_that_hangs_is_unhealthy_and_holds_up_no_other(
    make_settings, silent_server: int
) -> None:
    settings = make_settings(
        TRAEFIK_API_URL=f"http://127.0.0.1:{silent_server}",
        HEALTH_CHECK_TIMEOUT_SECONDS=0.5,
    )
    async with app_client(settings) as client:
        admin = await _admin(client, settings)
        started = time.monotonic()
        tree = (await client.get("/health/detailed", headers=admin)).json()
        took = time.monotonic() - started
    ingress = tree["components"]["ingress"]
    assert (ingress["status"], ingress["message"]) == (
        "unhealthy",
        "no answer within 0.5 s",
    )
    assert tree["components"]["database"]["status"] == "healthy"
    assert took < 2  # the checks ran side by side


async def test_ingress_reads_a_real_traefik(make_settings, tmp_path: Path) -> None:
    traefik = TraefikServer(tmp_path, backend_url=f"http://127.0.0.1:{free_port()}")
    traefik.start()
    try:
        settings = make_settings(TRAEFIK_API_URL=traefik.api_url)
        async with app_client(settings) as client:
            admin = await _admin(client, settings)
            tree = (await client.get("/health/detailed", headers=admin)).json()
    finally:
        traefik.stop()
    ingress = tree["components"]["ingress"]
    assert ingress["status"] == "healthy", ingress
    assert ingress["metadata"]["version"].startswith("3.")
    assert ingress["metadata"]["routers_enabled"] >= 2


async def test_a_dead_redis_makes_the_cache_unhealthy(make_settings) -> None:
    settings = make_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    async with app_client(settings) as client:
        body = (await client.get("/health/")).json()
    assert body["components"]["cache"] == "unhealthy"
    assert body["healthy"] is False


def _finished(database_url: str, queue: str, completed: int, failed: int) -> None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        for n in range(completed + failed):
            status = "failed" if n < failed else "completed"
            connection.execute(
                "INSERT INTO task_history (id, task, queue, status, source, attempts,"
                " started_at, finished_at) VALUES (%s, 'homer_sim_task', %s, %s,"
                " 'test', 1, now(), now())",
                (f"{queue}-{n}", queue, status),
            )


@pytest.mark.parametrize(
    ("finished", "failed", "queue_status"),
    [
        (40, 10, "warning"),
        (40, 3, "healthy"),
        (40, 25, "unhealthy"),
        # Too few jobs to call the queue down: one failure in two is 50%.
        (2, 1, "warning"),
        (19, 19, "warning"),
        (20, 20, "unhealthy"),
    ],
)
async def test_homer_failing_a_quarter_is_a_warning_not_an_outage(
    settings: Settings,
    database_url: str,
    finished: int,
    failed: int,
    queue_status: str,
) -> None:
    _finished(database_url, "homer", completed=finished - failed, failed=failed)
    app = create_app(settings)
    async with app_client(settings, app) as client:
        admin = await _admin(client, settings)
        presence = WorkerPresence("homer", "homer-test", ttl_s=30)
        await presence.beat(app.state.resources.redis, {"running": 0, "max_jobs": 3})
        tree = (await client.get("/health/detailed", headers=admin)).json()
    homer = tree["components"]["worker"]["components"]["homer"]
    assert homer["status"] == queue_status, homer
    share = round(100 * failed / finished, 1)
    assert homer["metadata"]["failure_rate_percent"] == share
    if queue_status != "unhealthy":
        assert tree["components"]["worker"]["status"] != "unhealthy"


async def test_no_secret_reaches_health_or_metrics(
    make_settings, database_url: str, tmp_path: Path
) -> None:
    redis = RedisServer(tmp_path, password="redis-secret-7g")
    redis.start()
    secrets = {
        "SECRET_KEY": "secret-key-that-must-not-leak-0123456789",
        "DATABASE_PASSWORD": "database-secret-7g",
        "REDIS_PASSWORD": "redis-secret-7g",
    }
    try:
        settings = make_settings(REDIS_URL=redis.url(), **secrets)
        async with app_client(settings) as client:
            admin = await _admin(client, settings)
            bodies = [
                (await client.get("/health/")).text,
                (await client.get("/health/detailed", headers=admin)).text,
                (await client.get("/metrics")).text,
            ]
    finally:
        redis.stop()
    assert '"cache":"healthy"' in bodies[0].replace(" ", "")  # the password was used
    for body in bodies:
        for value in secrets.values():
            assert value not in body


async def test_metrics_parse_and_cover_http_queues_and_health(
    client: AsyncClient,
) -> None:
    await client.get("/health/live")
    await client.get("/api/v1/tasks/nonexistent-job")
    text = (await client.get("/metrics")).text
    families = {family.name: family for family in text_string_to_metric_families(text)}
    requests = families["sector7g_http_requests"].samples
    assert any(
        sample.labels == {"method": "GET", "route": "/health/live", "status": "200"}
        for sample in requests
        if sample.name == "sector7g_http_requests_total"
    )
    assert any(s.labels.get("route") == "/api/v1/tasks/{job_id}" for s in requests)
    assert "sector7g_http_request_duration_seconds" in families
    depth = {s.labels["queue"] for s in families["sector7g_queue_depth"].samples}
    assert depth == {"inanimate_rod", "homer", "lenny", "carl", "charlie", "grimey"}
    statuses = {
        s.labels["component"] for s in families["sector7g_component_status"].samples
    }
    assert statuses == COMPONENTS
    assert "sector7g_queue_jobs" in families and "sector7g_up" in families


async def test_metric_labels_stay_few_whatever_paths_are_asked(
    settings: Settings,
) -> None:
    """Paths under the dashboard share one label; unknown paths share another;
    invented methods share a third."""
    app = create_app(settings)
    mount_dashboard(app)
    async with app_client(settings, app) as client:
        for path in ("/dashboard/", "/dashboard/a", "/dashboard/b/c", "/x", "/y"):
            await client.get(path)
        for method in ("BREW", "WHEN", "get"):
            await client.request(method, "/health/live")
        text = (await client.get("/metrics")).text
    samples = [
        sample
        for family in text_string_to_metric_families(text)
        if family.name == "sector7g_http_requests"
        for sample in family.samples
    ]
    routes = {sample.labels["route"] for sample in samples}
    assert routes == {"/dashboard/*", "unmatched", "/health/live"}
    methods = {sample.labels["method"] for sample in samples}
    assert methods == {"GET", "other"}


async def test_metrics_need_the_token_when_one_is_set(make_settings) -> None:
    async with app_client(make_settings(METRICS_TOKEN="scrape-me")) as client:
        without = await client.get("/metrics")
        wrong = await client.get("/metrics", headers=bearer("nope"))
        right = await client.get("/metrics", headers=bearer("scrape-me"))
    assert (without.status_code, wrong.status_code, right.status_code) == (
        401,
        401,
        200,
    )
