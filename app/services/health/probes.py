"""Reachability probes for PostgreSQL and Redis, each bounded by a timeout."""

import asyncio
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy import text

from app.core.db import Database


@dataclass(frozen=True)
class ProbeResult:
    name: str
    ok: bool
    error: str | None = None


async def probe_database(database: Database, timeout_s: float) -> ProbeResult:
    try:
        async with asyncio.timeout(timeout_s):
            async with database.async_engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except TimeoutError:
        return ProbeResult("database", False, f"no answer within {timeout_s} s")
    except Exception as error:  # any driver or network failure means "not ready"
        return ProbeResult("database", False, type(error).__name__)
    return ProbeResult("database", True)


async def probe_redis(redis: Redis, timeout_s: float) -> ProbeResult:
    try:
        async with asyncio.timeout(timeout_s):
            await redis.ping()
    except TimeoutError:
        return ProbeResult("redis", False, f"no answer within {timeout_s} s")
    except Exception as error:  # any client or network failure means "not ready"
        return ProbeResult("redis", False, type(error).__name__)
    return ProbeResult("redis", True)
