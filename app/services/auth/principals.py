"""Who a token belongs to: from this process's memory, else a short-lived
Redis cache, else the database.

Every authenticated request needs its user; the caches spare the database a
query each time, and the memory (app.services.auth.principal_memory) spares
the Redis round trip too. An administrator's change to an account first writes
a tombstone over its Redis entry and tells every process to drop it from
memory: lookups then go to the database, and the tombstone also stops a lookup
that read the old row from writing it back (entries are only written where
none exists). So a deactivation takes effect at once: in the process that
made it, before it answers; in the others, as soon as they read Redis's
message.

A token's signature and claims are checked once per process: the subject and
expiry of tokens seen recently are kept in memory (a token never changes; its
expiry is checked again at each use), which spares a JWT decode per request.
"""

import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.core.config import Settings
from app.core.db import Database
from app.core.expiring_lru import ExpiringLru
from app.core.security import InvalidTokenError, VerifiedToken, verify_access_token
from app.models.user import UserPublic
from app.services.auth.principal_memory import CHANGES_CHANNEL, PrincipalMemory
from app.services.auth.users import find_active_user

CACHE_TTL_S = 60
TOMBSTONE = "-"
# Tokens whose checked claims are kept: the most recently used ones.
VERIFIED_TOKENS = 4096


class Principal(UserPublic):
    """The account a request acts as: its public shape, which holds all that
    authorisation needs and no secret. Frozen, as one instance serves every
    request the process's memory answers."""

    model_config = UserPublic.model_config | {"frozen": True}


def _key(user_id: int) -> str:
    return f"sector7g:principal:{user_id}"


class Principals:
    def __init__(
        self, database: Database, redis: Redis, memory: PrincipalMemory
    ) -> None:
        self.database = database
        self.redis = redis
        self.memory = memory
        self._verified: ExpiringLru[str, VerifiedToken] = ExpiringLru(
            VERIFIED_TOKENS, time.time
        )

    async def active(self, user_id: int) -> Principal | None:
        """The active account `user_id`, or None (missing or deactivated)."""
        principal = self.memory.get(user_id)
        if principal is not None:
            return principal
        generation = self.memory.generation
        try:
            cached = await self.redis.get(_key(user_id))
        except RedisError:
            cached = TOMBSTONE  # no cache: ask the database, write nothing back
        if cached is not None and cached != TOMBSTONE:
            principal = Principal.model_validate_json(cached)
        else:
            user = await find_active_user(self.database, user_id)
            if user is None:
                return None
            principal = Principal.model_validate(user)
            if cached is None:
                await self.redis.set(
                    _key(user_id), principal.model_dump_json(), ex=CACHE_TTL_S, nx=True
                )
        if cached != TOMBSTONE:
            # Not while the account's tombstone stands: had the change's second
            # message been lost, the row read before it was made would stay.
            self.memory.put(principal, generation)
        return principal

    async def for_token(self, token: str, settings: Settings) -> Principal | None:
        """The active account a valid, unexpired access token names, or None."""
        verified = self._verify(token, settings)
        if verified is None:
            return None
        subject = verified.subject
        return await self.active(int(subject)) if subject.isdigit() else None

    def _verify(self, token: str, settings: Settings) -> VerifiedToken | None:
        verified = self._verified.get(token)
        if verified is None:
            try:
                verified = verify_access_token(token, settings)
            except InvalidTokenError:
                return None
            self._verified.put(token, verified, verified.expires_at)
        return verified

    async def forget(self, user_id: int) -> None:
        """Before and after changing an account: its cached entry is void, here
        and in every other process.

        Raises RedisError when Redis is unreachable, so that the change is not
        made while a stale entry could outlive it.
        """
        self.memory.drop(user_id)
        async with self.redis.pipeline(transaction=True) as pipeline:
            pipeline.set(_key(user_id), TOMBSTONE, ex=CACHE_TTL_S)
            pipeline.publish(CHANGES_CHANNEL, str(user_id))
            await pipeline.execute()

    async def close(self) -> None:
        await self.memory.close()
