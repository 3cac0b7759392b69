"""Routes declared on a RouteTable land on the app itself, as declared."""

from fastapi import FastAPI
from fastapi.routing import APIRoute
from httpx import ASGITransport, AsyncClient
from starlette.routing import Mount

from app.components.backend.api.route_table import RouteTable
from app.components.backend.app import create_app


def _table() -> RouteTable:
    routes = RouteTable("/things", tags=["things"])

    @routes.get("")
    async def list_things() -> list[str]:
        return ["a"]

    @routes.post("/{name}", status_code=201, tags=["writes"])
    async def add_thing(name: str) -> dict[str, str]:
        return {"added": name}

    return routes


async def test_routes_are_served_under_both_prefixes_with_their_options() -> None:
    app = FastAPI()
    _table().add_to(app, "/api")

    async with AsyncClient(
        transport=ASGITransport(app=app), base_url="http://test"
    ) as client:
        listed = await client.get("/api/things")
        added = await client.post("/api/things/rod")

    assert (listed.status_code, listed.json()) == (200, ["a"])
    assert (added.status_code, added.json()) == (201, {"added": "rod"})
    paths = app.openapi()["paths"]
    assert paths["/api/things"]["get"]["tags"] == ["things"]
    assert paths["/api/things/{name}"]["post"]["tags"] == ["things", "writes"]


async def test_a_table_left_out_of_the_schema_is_served_but_not_documented() -> None:
    app = FastAPI()
    routes = RouteTable(include_in_schema=False)

    @routes.get("/hidden")
    async def hidden() -> dict[str, bool]:
        return {"hidden": True}

    routes.add_to(app)

    async with AsyncClient(
        transport=ASGITransport(app=app), base_url="http://test"
    ) as client:
        assert (await client.get("/hidden")).json() == {"hidden": True}
    assert "/hidden" not in app.openapi()["paths"]


def test_the_webserver_has_no_included_routers(make_settings) -> None:
    """FastAPI matches an included router's routes twice per request."""
    app = create_app(make_settings())

    kinds = {type(route) for route in app.routes}

    assert kinds <= {APIRoute, Mount}, kinds
    paths = {route.path for route in app.routes if isinstance(route, APIRoute)}
    assert "/api/v1/auth/me" in paths
