from httpx import AsyncClient

from app.core.config import Settings
from app.devstack.servers import free_port
from tests.utils.http import app_client


async def test_live_answers_without_touching_dependencies(make_settings) -> None:
    """/health/live is 200 even when neither PostgreSQL nor Redis exists."""
    dead = make_settings(
        DATABASE_URL=f"postgresql://nobody@127.0.0.1:{free_port()}/none",
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
    )
    async with app_client(dead) as client:
        response = await client.get("/health/live")
    assert (response.status_code, response.json()) == (200, {"status": "alive"})


async def test_ready_when_postgres_and_redis_answer(client: AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {
        "database": {"ok": True, "error": None},
        "redis": {"ok": True, "error": None},
    }


async def test_not_ready_names_the_unreachable_redis(make_settings) -> None:
    settings: Settings = make_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    async with app_client(settings) as client:
        response = await client.get("/health/ready")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "not_ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is False


async def test_not_ready_names_the_unreachable_database(make_settings) -> None:
    settings: Settings = make_settings(
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{free_port()}/none"
    )
    async with app_client(settings) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False
    assert response.json()["checks"]["redis"]["ok"] is True
