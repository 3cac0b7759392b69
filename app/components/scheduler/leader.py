"""Exactly one active scheduler: a PostgreSQL advisory lock on its own connection.

The lock lives as long as the session that took it. A leader that dies loses
its connection and with it the lock, and a standby's next attempt succeeds.
TCP keep-alives on the connection let PostgreSQL notice a leader whose host
vanished without closing the socket, within seconds rather than hours.
"""

import asyncio
import contextlib

from sqlalchemy import func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

# Any constant works; every scheduler of a deployment uses the same one.
LEADER_LOCK_ID = 0x5EC7_5C4D
# How long a check on the lock's connection may take before we step down.
CHECK_TIMEOUT_S = 3.0
# PostgreSQL notices a silent peer after idle + interval * count seconds.
KEEPALIVE = {
    "tcp_keepalives_idle": 5,
    "tcp_keepalives_interval": 2,
    "tcp_keepalives_count": 3,
}


class LeaderLock:
    def __init__(self, url: URL) -> None:
        # NullPool: closing the connection must end the session (and the lock).
        self._engine = create_async_engine(
            url, poolclass=NullPool, isolation_level="AUTOCOMMIT"
        )
        self._connection: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None

    async def try_acquire(self) -> bool:
        connection = await self._engine.connect()
        try:
            for setting, value in KEEPALIVE.items():
                await connection.execute(text(f"SET {setting} = {int(value)}"))
            acquired = await connection.scalar(
                select(func.pg_try_advisory_lock(LEADER_LOCK_ID))
            )
        except BaseException:
            await connection.close()
            raise
        if not acquired:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def still_held(self) -> bool:
        """Whether the session holding the lock still answers."""
        if self._connection is None:
            return False
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_S):
                await self._connection.execute(text("SELECT 1"))
        except Exception:
            await self.release()
            return False
        return True

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            # Ends the session, and the lock with it; if the connection is
            # already gone, so are both.
            with contextlib.suppress(Exception):
                await connection.close()

    async def dispose(self) -> None:
        await self.release()
        await self._engine.dispose()
