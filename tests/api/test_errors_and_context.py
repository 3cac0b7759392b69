"""Error shape, request ids, the one log line per request, and /docs access."""

import asyncio
import base64
import json
import logging

import pytest
from httpx import AsyncClient

from app.core.log import configure_logging
from tests.utils.http import app_client


async def test_unknown_route_is_404_in_the_error_shape(client: AsyncClient) -> None:
    response = await client.get("/no/such/route")
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message", "request_id"}


async def test_wrong_method_is_405_in_the_error_shape(client: AsyncClient) -> None:
    response = await client.delete("/health/live")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_unhandled_error_is_500_in_the_error_shape(settings) -> None:
    from app.components.backend.app import create_app

    app = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("meltdown")

    async with app_client(settings, app) as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "meltdown" not in response.text
    assert response.headers["x-request-id"]


async def test_request_id_is_generated_and_returned(client: AsyncClient) -> None:
    first = await client.get("/health/live")
    second = await client.get("/health/live")
    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [("trace-abc.123", True), ("evil\nline", False), ("x" * 200, False)],
)
async def test_incoming_request_id_is_kept_only_when_plain(
    client: AsyncClient, incoming: str, kept: bool
) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": incoming})
    assert (response.headers["x-request-id"] == incoming) is kept


async def test_each_request_is_logged_once_as_json(
    settings, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(json=True, level="INFO")
    try:
        async with app_client(settings) as client:
            await client.get("/health/live", headers={"X-Request-ID": "req-42"})
        await asyncio.sleep(0)  # lines are written when the loop ends its turn
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    finally:
        logging.getLogger().handlers.clear()
    requests = [line for line in lines if line.get("event") == "request"]
    assert len(requests) == 1
    assert requests[0]["request_id"] == "req-42"
    assert (requests[0]["method"], requests[0]["path"], requests[0]["status"]) == (
        "GET",
        "/health/live",
        200,
    )
    assert requests[0]["duration_ms"] >= 0


async def test_docs_are_open_in_dev_without_a_password(client: AsyncClient) -> None:
    assert (await client.get("/openapi.json")).status_code == 200
    assert (await client.get("/docs")).status_code == 200


async def test_docs_need_the_password_when_one_is_set(make_settings) -> None:
    settings = make_settings(DOCS_PASSWORD="s3cret-ü")
    good = base64.b64encode("docs:s3cret-ü".encode()).decode()
    async with app_client(settings) as client:
        anonymous = await client.get("/openapi.json")
        wrong = await client.get("/openapi.json", auth=("docs", "nope"))
        right = await client.get(
            "/openapi.json", headers={"Authorization": f"Basic {good}"}
        )
    assert (anonymous.status_code, wrong.status_code, right.status_code) == (
        401,
        401,
        200,
    )
    assert anonymous.headers["www-authenticate"] == "Basic"
    assert "/api/v1/auth/token" in right.json()["paths"]


async def test_docs_are_not_served_in_prod_without_a_password(make_settings) -> None:
    async with app_client(make_settings(APP_ENV="prod")) as client:
        assert (await client.get("/docs")).status_code == 404
