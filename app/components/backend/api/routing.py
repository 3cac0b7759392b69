"""Every router the webserver serves, listed in one place."""

from fastapi import APIRouter, FastAPI

from app.components.backend.api import (
    auth,
    docs,
    events,
    health,
    metrics,
    scheduler,
    tasks,
)

API_PREFIX = "/api/v1"


def include_routers(app: FastAPI) -> None:
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(auth.router)
    api.include_router(tasks.router)
    api.include_router(events.router)
    api.include_router(scheduler.router)

    app.include_router(health.router)
    app.include_router(api)
    app.include_router(docs.router)
    app.include_router(metrics.router)
