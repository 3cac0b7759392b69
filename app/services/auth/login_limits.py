"""Login rate limits, shared by every webserver process through Redis.

Two limits guard the token endpoint: attempts per client address (every
attempt counts) and failures per account (only wrong passwords count, and a
successful login clears them).
"""

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool

KEY_PREFIX = "sector7g:login"


class LoginRateLimitedError(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many login attempts; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


class LimiterUnavailableError(Exception):
    """Redis did not answer; logins are refused rather than left unlimited."""


class LoginLimiter:
    def __init__(
        self, pool: ConnectionPool, *, per_address: str, per_account: str
    ) -> None:
        storage = RedisStorage(
            "async+redis://",
            implementation="redispy",
            # A documented option that the `**options` annotation leaves out.
            connection_pool=pool,  # ty: ignore[invalid-argument-type]
            key_prefix=KEY_PREFIX,
            wrap_exceptions=True,
        )
        self._limiter = MovingWindowRateLimiter(storage)
        self._per_address = parse(per_address)
        self._per_account = parse(per_account)

    async def check_attempt(self, address: str, account: str) -> None:
        """Count an attempt from `address`; raise if either limit is spent."""
        try:
            if not await self._limiter.hit(self._per_address, "address", address):
                raise await self._limited(self._per_address, "address", address)
            key = _account_key(account)
            if not await self._limiter.test(self._per_account, "account", key):
                raise await self._limited(self._per_account, "account", key)
        except StorageError as error:
            raise LimiterUnavailableError from error

    async def record_failure(self, account: str) -> None:
        try:
            await self._limiter.hit(self._per_account, "account", _account_key(account))
        except StorageError as error:
            raise LimiterUnavailableError from error

    async def record_success(self, account: str) -> None:
        try:
            await self._limiter.clear(
                self._per_account, "account", _account_key(account)
            )
        except StorageError as error:
            raise LimiterUnavailableError from error

    async def _limited(self, item: RateLimitItem, *key: str) -> LoginRateLimitedError:
        stats = await self._limiter.get_window_stats(item, *key)
        return LoginRateLimitedError(max(1, math.ceil(stats.reset_time - time.time())))


def _account_key(account: str) -> str:
    """Accounts are emails, which are unique whatever their case."""
    return account.strip().lower()
