"""Liveness, readiness and the health tree, for orchestrators and people."""

import asyncio
from typing import Any

from fastapi.responses import JSONResponse

from app.components.backend.api.deps import AdminUser, ResourcesDep
from app.components.backend.api.route_table import RouteTable
from app.services.health.probes import probe_database, probe_redis

routes = RouteTable("/health", tags=["health"])

# Documented, so that clients (and the fuzz test) know a 503 is an answer.
UNHEALTHY: dict[int | str, dict[str, Any]] = {
    503: {"description": "Unhealthy: the body says what failed"}
}


@routes.get("/live")
async def live() -> JSONResponse:
    """The process answers; nothing else is touched."""
    # A response, as the others here return: a constant body has nothing for
    # FastAPI to validate on every request.
    return JSONResponse({"status": "alive"})


@routes.get("/ready", responses=UNHEALTHY)
async def ready(resources: ResourcesDep) -> JSONResponse:
    """PostgreSQL and Redis answer: 200, otherwise 503 naming what failed."""
    timeout_s = resources.settings.HEALTH_CHECK_TIMEOUT_SECONDS
    results = await asyncio.gather(
        probe_database(resources.database, timeout_s),
        probe_redis(resources.redis, timeout_s),
    )
    ready = all(result.ok for result in results)
    body = {
        "status": "ready" if ready else "not_ready",
        "checks": {
            result.name: {"ok": result.ok, "error": result.error} for result in results
        },
    }
    return JSONResponse(body, status_code=200 if ready else 503)


@routes.get("/", responses=UNHEALTHY)
async def summary(resources: ResourcesDep) -> JSONResponse:
    """Overall and per-component status (cached a few seconds); 503 when
    unhealthy. No details: those are for administrators."""
    report = await resources.health.report()
    return JSONResponse(report.summary(), status_code=200 if report.healthy else 503)


@routes.get("/detailed", responses=UNHEALTHY)
async def detailed(resources: ResourcesDep, admin: AdminUser) -> JSONResponse:
    """The whole tree with every check's findings."""
    report = await resources.health.report()
    return JSONResponse(report.detailed(), status_code=200 if report.healthy else 503)
