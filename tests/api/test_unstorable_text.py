"""Text PostgreSQL cannot store (a NUL character) is the client's error."""

from httpx import AsyncClient

from app.core.config import Settings
from tests.utils.http import bearer
from tests.utils.users import create_user, log_in


async def test_a_nul_anywhere_is_a_400_not_a_server_error(
    client: AsyncClient, settings: Settings
) -> None:
    await create_user(settings, "burns@plant.dev", admin=True)
    admin = bearer(await log_in(client, "burns@plant.dev"))
    for method, path in [
        ("GET", "/api/v1/tasks/a%00b"),
        ("GET", "/api/v1/scheduler/jobs/a%00b"),
        ("POST", "/api/v1/tasks/a%00b/cancel"),
        ("GET", "/api/v1/scheduler/runs?job_id=a%00b"),
    ]:
        response = await client.request(method, path, headers=admin)
        assert response.status_code == 400, (path, response.text)
    response = await client.request(
        "POST",
        "/api/v1/auth/register",
        json={
            "email": "lenny@plant.dev",
            "password": "donut-donut",
            "full_name": "L\x00",
        },
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"] == (
        "Text with a NUL character cannot be stored"
    )
