"""Every route the webserver serves, listed in one place, with its full prefix.

Each module declares its routes on a `RouteTable`, which adds them to the app
itself: no included routers, which FastAPI would match twice per request
(`route_table` says more).
"""

from fastapi import FastAPI

from app.components.backend.api import docs, events, health, metrics, scheduler, tasks
from app.components.backend.api.auth import account, users

API_PREFIX = "/api/v1"
AUTH_PREFIX = f"{API_PREFIX}/auth"


def add_routes(app: FastAPI) -> None:
    health.routes.add_to(app)
    account.routes.add_to(app, AUTH_PREFIX)
    users.routes.add_to(app, AUTH_PREFIX)
    tasks.routes.add_to(app, API_PREFIX)
    events.routes.add_to(app, API_PREFIX)
    scheduler.routes.add_to(app, API_PREFIX)
    docs.routes.add_to(app)
    metrics.routes.add_to(app)
