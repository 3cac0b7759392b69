"""The health tree, computed concurrently, each check bounded, briefly cached.

Every check runs at once with its own time limit; one that fails or times out
is `unhealthy` with a short reason (scrubbed of any configured secret), and
the others still report. Callers within HEALTH_CACHE_SECONDS get the same
tree, and concurrent callers share one computation.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import psutil
from redis.asyncio import Redis

from app.core.config import SECRET_SETTINGS, Settings
from app.core.db import Database
from app.core.topology import Topology
from app.core.urls import http_url
from app.services.health.checks.auth import check_auth
from app.services.health.checks.backend import check_backend
from app.services.health.checks.cache import check_cache
from app.services.health.checks.database import check_database
from app.services.health.checks.ingress import check_ingress
from app.services.health.checks.scheduler import check_scheduler
from app.services.health.checks.workers import check_workers
from app.services.health.tree import Component, Status
from app.services.tasks.history import TaskHistory

ROOT = "sector-7g"


@dataclass(frozen=True)
class HealthReport:
    root: Component
    checked_at: datetime

    @property
    def status(self) -> Status:
        return self.root.status

    @property
    def healthy(self) -> bool:
        """Only `unhealthy` makes the system unhealthy."""
        return self.status != Status.UNHEALTHY

    def summary(self) -> dict[str, Any]:
        """What anyone may see: statuses only, no metadata, no messages."""
        return {
            "status": self.status,
            "healthy": self.healthy,
            "checked_at": self.checked_at.isoformat(),
            "components": {
                name: component.status
                for name, component in self.root.components.items()
            },
        }

    def detailed(self) -> dict[str, Any]:
        return {
            "name": ROOT,
            "healthy": self.healthy,
            "checked_at": self.checked_at.isoformat(),
            **self.root.model_dump(mode="json"),
        }


class HealthService:
    def __init__(
        self,
        settings: Settings,
        database: Database,
        redis: Redis,
        topology: Topology,
        *,
        introspection: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.redis = redis
        self.topology = topology
        self.history = TaskHistory(database)
        self.introspection = introspection or dict
        self.http = httpx.AsyncClient(timeout=settings.HEALTH_CHECK_TIMEOUT_SECONDS)
        self._cached: HealthReport | None = None
        self._cached_at = 0.0
        self._computing: asyncio.Task[HealthReport] | None = None
        psutil.cpu_percent(interval=None)  # the reference point of the first reading

    async def report(self) -> HealthReport:
        """The current tree: cached if fresh, else computed once for everyone."""
        fresh = time.monotonic() - self._cached_at < self.settings.HEALTH_CACHE_SECONDS
        if self._cached is not None and fresh:
            return self._cached
        if self._computing is None or self._computing.done():
            self._computing = asyncio.create_task(self._compute())
        return await asyncio.shield(self._computing)

    async def close(self) -> None:
        await self.http.aclose()

    async def _compute(self) -> HealthReport:
        settings = self.settings
        traefik = (
            http_url(settings.TRAEFIK_API_URL, in_container=settings.in_container)
            if settings.TRAEFIK_API_URL
            else None
        )
        checks: dict[str, Callable[[], Awaitable[Component]]] = {
            "backend": lambda: asyncio.to_thread(
                check_backend, settings, **self.introspection()
            ),
            "database": lambda: check_database(self.database, settings),
            "cache": lambda: check_cache(self.redis),
            "worker": lambda: check_workers(
                self.redis, self.topology, self.history, settings
            ),
            "scheduler": lambda: check_scheduler(self.redis, self.database, settings),
            "ingress": lambda: check_ingress(self.http, traefik),
            "auth": lambda: check_auth(self.database, settings),
        }
        results = await asyncio.gather(*(self._run(check) for check in checks.values()))
        report = HealthReport(
            Component.group(dict(zip(checks, results, strict=True))),
            datetime.now(UTC),
        )
        self._cached, self._cached_at = report, time.monotonic()
        return report

    async def _run(self, check: Callable[[], Awaitable[Component]]) -> Component:
        timeout_s = self.settings.HEALTH_CHECK_TIMEOUT_SECONDS
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout_s):
                component = await check()
        except TimeoutError:
            component = Component(
                status=Status.UNHEALTHY, message=f"no answer within {timeout_s:g} s"
            )
        except Exception as error:  # any failure of a dependency is a finding
            component = Component(status=Status.UNHEALTHY, message=self._scrub(error))
        component.response_time_ms = round((time.perf_counter() - started) * 1000, 1)
        return component

    def _scrub(self, error: Exception) -> str:
        """A failure's type and first line, without any configured secret."""
        text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        for name in SECRET_SETTINGS:
            secret = getattr(self.settings, name)
            if secret is not None and secret.get_secret_value():
                text = text.replace(secret.get_secret_value(), "***")
        return f"{type(error).__name__}: {text}" if text else type(error).__name__
