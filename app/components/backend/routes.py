"""The app's route table and its middleware: for tests and /health/.

`fastapi.routing.iter_route_contexts` gives the paths and methods actually
served, whether a route sits on the app or in an included router.
"""

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount


@dataclass(frozen=True, order=True)
class Endpoint:
    path: str
    method: str
    name: str


def list_endpoints(app: FastAPI) -> list[Endpoint]:
    """Every (path, method) the app answers, HEAD aside, sorted."""
    return sorted(
        Endpoint(context.path, method, context.name or "")
        for context in iter_route_contexts(app.routes)
        if context.path is not None
        for method in (context.methods or set()) - {"HEAD"}
    )


def describe_app(app: FastAPI) -> dict[str, Any]:
    """Routes and middleware, as the server's detailed health shows them."""
    endpoints = list_endpoints(app)
    return {
        "total_endpoints": len(endpoints),
        "routes": [{"method": e.method, "path": e.path} for e in endpoints],
        "middleware": [
            getattr(entry.cls, "__name__", str(entry.cls))
            for entry in app.user_middleware
        ],
    }


class RouteTemplates:
    """The path template of a matched route (`/api/v1/tasks/{job_id}`), for
    metric labels.

    Only the app's own routes have one: a mounted app (the dashboard) may put
    its own routes in the request scope, with paths relative to the mount;
    those are labelled by the mount (`mounted`). Built on first use, when
    every route is added.
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._paths: dict[int, str] | None = None
        self._mounts: list[str] | None = None

    def of(self, route: object) -> str | None:
        if self._paths is None:
            self._paths = {
                id(context.original_route): context.path
                for context in iter_route_contexts(self.app.routes)
                if context.path is not None
            }
        return self._paths.get(id(route))

    def mounted(self, path: str) -> str | None:
        """`/dashboard/*` for any path served by the app mounted at /dashboard."""
        if self._mounts is None:
            self._mounts = [
                route.path for route in self.app.routes if isinstance(route, Mount)
            ]
        for prefix in self._mounts:
            if path == prefix or path.startswith(f"{prefix}/"):
                return f"{prefix}/*"
        return None
