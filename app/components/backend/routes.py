"""The app's route table, flattened.

FastAPI keeps included routers nested; `fastapi.routing.iter_route_contexts`
resolves them to the paths and methods actually served.
"""

from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts


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
