"""Exactly one active scheduler: a PostgreSQL advisory lock on its own connection.

The lock lives as long as the session that took it. A leader that dies loses
its connection and with it the lock, and a standby's next attempt succeeds.
TCP keep-alives on the connection let PostgreSQL notice a leader whose host
vanished without closing the socket, within seconds rather than hours.
"""

import asyncio
import contextlib

import asyncpg

# Any constant works; every scheduler of a deployment uses the same one.
LEADER_LOCK_ID = 0x5EC7_5C4D
# How long connecting, or a check on the lock's connection, may take.
CONNECT_TIMEOUT_S = 5.0
CHECK_TIMEOUT_S = 3.0
# PostgreSQL notices a silent peer after idle + interval * count seconds.
KEEPALIVE = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
}


class LeaderLock:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._connection: asyncpg.Connection | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None

    async def try_acquire(self) -> bool:
        connection = await asyncpg.connect(
            self._dsn, timeout=CONNECT_TIMEOUT_S, server_settings=KEEPALIVE
        )
        try:
            acquired = await connection.fetchval(
                "SELECT pg_try_advisory_lock($1)", LEADER_LOCK_ID
            )
        except BaseException:
            connection.terminate()
            raise
        if not acquired:
            await _close(connection)
            return False
        self._connection = connection
        return True

    async def still_held(self) -> bool:
        """Whether the session holding the lock still answers."""
        if self._connection is None:
            return False
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_S):
                await self._connection.fetchval("SELECT 1")
        except Exception:
            await self.release()
            return False
        return True

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            # Ends the session, and the lock with it; if the connection is
            # already gone, so are both.
            await _close(connection)


async def _close(connection: asyncpg.Connection) -> None:
    try:
        await connection.close(timeout=CHECK_TIMEOUT_S)
    except Exception:
        with contextlib.suppress(Exception):
            connection.terminate()
