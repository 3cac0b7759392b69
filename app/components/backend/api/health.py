"""Liveness and readiness, for orchestrators and load balancers."""

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.components.backend.api.deps import ResourcesDep
from app.services.health.probes import probe_database, probe_redis

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live")
async def live() -> dict[str, str]:
    """The process answers; nothing else is touched."""
    return {"status": "alive"}


@router.get("/ready")
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
