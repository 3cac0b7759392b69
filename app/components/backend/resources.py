"""What the webserver opens at start-up and closes at shutdown."""

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from redis.asyncio import Redis

from app.core.config import Settings
from app.core.db import Database
from app.core.redis import create_redis_pool
from app.services.auth.login_limits import LoginLimiter


@dataclass
class Resources:
    settings: Settings
    database: Database
    redis: Redis
    login_limiter: LoginLimiter


@asynccontextmanager
async def open_resources(settings: Settings) -> AsyncGenerator[Resources]:
    """Engines and pools connect lazily: opening them touches no server."""
    pool = create_redis_pool(settings)
    resources = Resources(
        settings=settings,
        database=Database(settings),
        redis=Redis(connection_pool=pool),
        login_limiter=LoginLimiter(
            pool,
            per_address=settings.LOGIN_RATE_LIMIT_PER_ADDRESS,
            per_account=settings.LOGIN_RATE_LIMIT_PER_ACCOUNT,
        ),
    )
    try:
        yield resources
    finally:
        await resources.redis.aclose()
        await pool.aclose()
        await resources.database.dispose()


def lifespan_for(settings: Settings):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncGenerator[None]:
        async with open_resources(settings) as resources:
            app.state.resources = resources
            yield

    return lifespan
