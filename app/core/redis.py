"""Redis connections from the settings, with timeouts that fail fast.

A dead Redis must turn into an error within a second or two (readiness,
logins), not a request that hangs.
"""

from redis.asyncio import ConnectionPool

from app.core.config import Settings

CONNECT_TIMEOUT_S = 1.0
SOCKET_TIMEOUT_S = 5.0


def create_redis_pool(settings: Settings) -> ConnectionPool:
    return ConnectionPool.from_url(
        settings.redis_dsn,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=SOCKET_TIMEOUT_S,
        health_check_interval=30,
        decode_responses=True,
    )
