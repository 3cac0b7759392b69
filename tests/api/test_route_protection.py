"""Every route outside an explicit allow-list refuses anonymous requests."""

import re

from app.components.backend.app import create_app
from app.components.backend.routes import list_endpoints
from app.integrations.dashboard import mount_dashboard
from tests.utils.http import app_client

# (method, path) pairs anyone may call. Adding one here is a security decision.
PUBLIC_ROUTES = {
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    ("GET", "/health/"),
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/token"),
}


def _endpoints(app) -> set[tuple[str, str]]:
    return {(endpoint.method, endpoint.path) for endpoint in list_endpoints(app)}


async def test_every_non_public_route_rejects_anonymous_requests(make_settings) -> None:
    settings = make_settings(DOCS_PASSWORD="docs-password", METRICS_TOKEN="metrics")
    app = create_app(settings)
    endpoints = _endpoints(app)
    assert PUBLIC_ROUTES <= endpoints, "allow-list names a route that does not exist"

    async with app_client(settings, app) as client:
        for method, path in sorted(endpoints - PUBLIC_ROUTES):
            url = re.sub(r"\{[^}]+\}", "1", path)
            response = await client.request(method, url)
            assert response.status_code == 401, f"{method} {path} answered anonymously"


async def test_the_walk_covers_the_admin_routes(make_settings) -> None:
    """Guards the test above against an empty or partial route table."""
    endpoints = _endpoints(create_app(make_settings()))
    assert {
        ("GET", "/api/v1/auth/me"),
        ("GET", "/api/v1/auth/users"),
        ("DELETE", "/api/v1/auth/users/{user_id}"),
        ("GET", "/openapi.json"),
    } <= endpoints


async def test_the_dashboard_adds_only_its_page_assets_and_websocket(
    make_settings,
) -> None:
    settings = make_settings()
    app = create_app(settings)
    before = _endpoints(app)
    dashboard = mount_dashboard(app)
    assert _endpoints(app) == before

    async with app_client(settings, app) as client:
        assert dashboard.loaded is None  # Flet loads on the first visit
        page = await client.get("/dashboard/")
        assert page.status_code == 200
        assert "<title>Sector 7G</title>" in page.text
        assert dashboard.loaded is not None
        kinds = sorted(type(route).__name__ for route in dashboard.loaded.routes)
        assert kinds == ["APIWebSocketRoute", "Mount"]  # /ws, and the static files
        for path in ("/dashboard/openapi.json", "/dashboard/oauth_callback"):
            response = await client.get(path)
            assert "openapi" not in response.text.lower(), path
            assert "oauth" not in response.text.lower(), path
