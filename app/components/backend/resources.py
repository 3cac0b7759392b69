"""What the webserver opens at start-up and closes at shutdown."""

import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from redis.asyncio import Redis

from app.components.backend.event_hub import BLOCK_MS, EventHub
from app.components.backend.routes import describe_app
from app.components.worker.queues import task_catalog
from app.core.config import Settings
from app.core.db import Database
from app.core.redis import create_redis_pool
from app.core.topology import Topology, load_topology
from app.services.auth.login_limits import LoginLimiter
from app.services.auth.principal_memory import PrincipalMemory
from app.services.auth.principals import Principals
from app.services.health.service import HealthService
from app.services.tasks.catalog import TaskCatalog
from app.services.tasks.services import TaskServices


@dataclass
class Resources:
    settings: Settings
    topology: Topology
    catalog: TaskCatalog
    tasks: TaskServices
    login_limiter: LoginLimiter
    principals: Principals
    event_hub: EventHub
    health: HealthService

    @property
    def database(self) -> Database:
        return self.tasks.database

    @property
    def redis(self) -> Redis:
        return self.tasks.redis


@asynccontextmanager
async def open_resources(
    settings: Settings, app: FastAPI | None = None
) -> AsyncGenerator[Resources]:
    """Engines and pools connect lazily: opening them touches no server."""
    topology = load_topology(os.environ)
    catalog = task_catalog()
    pool = create_redis_pool(settings)
    tasks = TaskServices.open(
        settings, catalog=catalog, topology=topology, redis=Redis(connection_pool=pool)
    )
    reader_timeout_s = BLOCK_MS / 1000 + 5
    reader = Redis(
        connection_pool=create_redis_pool(settings, socket_timeout_s=reader_timeout_s)
    )
    resources = Resources(
        settings=settings,
        topology=topology,
        catalog=catalog,
        tasks=tasks,
        login_limiter=LoginLimiter(
            pool,
            per_address=settings.LOGIN_RATE_LIMIT_PER_ADDRESS,
            per_account=settings.LOGIN_RATE_LIMIT_PER_ACCOUNT,
        ),
        principals=Principals(
            tasks.database,
            tasks.redis,
            PrincipalMemory(
                Redis(connection_pool=create_redis_pool(settings, retries="none"))
            ),
        ),
        event_hub=EventHub(
            tasks.events, reader, max_subscribers=settings.EVENT_STREAM_MAX_CLIENTS
        ),
        health=HealthService(
            settings,
            tasks.database,
            tasks.redis,
            topology,
            introspection=(lambda: describe_app(app)) if app else None,
        ),
    )
    try:
        yield resources
    finally:
        await resources.health.close()
        await resources.principals.close()
        await resources.event_hub.close()
        await tasks.close()


def lifespan_for(settings: Settings):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncGenerator[None]:
        async with open_resources(settings, app) as resources:
            app.state.resources = resources
            yield

    return lifespan
