"""Redis connections from the settings.

Clients give up fast (a dead Redis must turn into an error within a second or
two for readiness and logins, not a hung request) but retry a few times, so a
restarting Redis costs a short wait instead of a failure. Workers (arq's
connections and their own) and the scheduler are more patient still: they
ride out a Redis restart rather than fail or die.
"""

from collections.abc import Awaitable
from typing import Literal, cast
from urllib.parse import parse_qsl, unquote, urlsplit

from arq.connections import RedisSettings
from redis.asyncio import ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, TimeoutError

from app.core.config import Settings

CONNECT_TIMEOUT_S = 1.0
SOCKET_TIMEOUT_S = 5.0
CLIENT_RETRIES = 2
# About 25 s of retries: longer than a Redis restart takes.
WORKER_RETRIES = 15
# OSError too: a refused connection surfaces as the OS error while connecting.
RETRIED_ERRORS = [ConnectionError, TimeoutError, OSError]


type Retries = Literal["quick", "patient", "none"]


def create_redis_pool(
    settings: Settings,
    *,
    decode: bool = True,
    socket_timeout_s: float = SOCKET_TIMEOUT_S,
    retries: Retries = "quick",
) -> ConnectionPool:
    """A pool for redis-py clients (decoded to str unless `decode=False`).

    A client that blocks on reads (XREAD BLOCK) needs a `socket_timeout_s`
    longer than its longest block. A "patient" pool, for the background
    processes (workers, the scheduler), rides out a Redis restart rather than
    fail the job it is recording. With "none", every lost connection is an
    error: a subscriber must know when it may have missed messages, and
    redis-py would otherwise reconnect and subscribe again without a word.
    """
    retry_options = (
        {}
        if retries == "none"
        else {
            "retry": _patient_retry() if retries == "patient" else _quick_retry(),
            "retry_on_error": RETRIED_ERRORS,
        }
    )
    return ConnectionPool.from_url(
        settings.redis_dsn,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=socket_timeout_s,
        health_check_interval=30,
        decode_responses=decode,
        **retry_options,
    )


def _quick_retry() -> Retry:
    return Retry(ExponentialBackoff(cap=0.5, base=0.05), CLIENT_RETRIES)


def _patient_retry() -> Retry:
    return Retry(ExponentialBackoff(cap=2.0, base=0.1), WORKER_RETRIES)


def arq_redis_settings(settings: Settings) -> RedisSettings:
    """arq's connection settings for a worker, from the same DSN as everyone's.

    Parsed here rather than with `RedisSettings.from_dsn`, which drops the
    password of a unix-socket DSN.
    """
    parts = urlsplit(settings.redis_dsn)
    query = dict(parse_qsl(parts.query))
    unix = parts.scheme == "unix"
    database = query.get("db") or (None if unix else parts.path.strip("/")) or "0"
    password = unquote(parts.password) if parts.password else query.get("password")
    return RedisSettings(
        host=parts.hostname or "localhost",
        port=parts.port or 6379,
        unix_socket_path=parts.path if unix else None,
        database=int(database),
        username=unquote(parts.username) if parts.username else None,
        password=password,
        ssl=parts.scheme == "rediss",
        conn_timeout=int(CONNECT_TIMEOUT_S),
        retry_on_error=list(RETRIED_ERRORS),
        retry=_patient_retry(),
    )


async def reply[T](command: Awaitable[T] | T) -> T:
    """Await a redis-py asyncio command.

    redis-py annotates some asyncio commands as `Awaitable[T] | T` (one
    signature for its sync and async clients); on the asyncio client they
    are always awaitable.
    """
    return await cast(Awaitable[T], command)
