"""Who a token belongs to, answered from a short-lived Redis cache.

Every authenticated request needs its user; the cache spares the database a
query each time. An administrator's change to an account first writes a
tombstone over its entry: lookups then go to the database, and the tombstone
also stops a lookup that read the old row from writing it back (entries are
only written where none exists). So a deactivation still takes effect at once.

A token's signature and claims are checked once per process: the subject and
expiry of tokens seen recently are kept in memory (a token never changes; its
expiry is checked again at each use), which spares a JWT decode per request.
"""

import time
from collections import OrderedDict
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.core.config import Settings
from app.core.db import Database
from app.core.security import InvalidTokenError, VerifiedToken, verify_access_token
from app.services.auth.users import find_active_user

CACHE_TTL_S = 60
TOMBSTONE = "-"
# Tokens whose checked claims are kept: the most recently used ones.
VERIFIED_TOKENS = 4096


class Principal(BaseModel):
    """The account a request acts as: what authorisation needs, no secrets."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    email: str
    full_name: str | None
    is_active: bool
    is_admin: bool
    created_at: datetime
    updated_at: datetime


def _key(user_id: int) -> str:
    return f"sector7g:principal:{user_id}"


class Principals:
    def __init__(self, database: Database, redis: Redis) -> None:
        self.database = database
        self.redis = redis
        self._verified: OrderedDict[str, VerifiedToken] = OrderedDict()

    async def active(self, user_id: int) -> Principal | None:
        """The active account `user_id`, or None (missing or deactivated)."""
        try:
            cached = await self.redis.get(_key(user_id))
        except RedisError:
            cached = TOMBSTONE  # no cache: ask the database, write nothing back
        if cached is not None and cached != TOMBSTONE:
            return Principal.model_validate_json(cached)
        user = await find_active_user(self.database, user_id)
        if user is None:
            return None
        principal = Principal.model_validate(user)
        if cached is None:
            await self.redis.set(
                _key(user_id), principal.model_dump_json(), ex=CACHE_TTL_S, nx=True
            )
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
            self._verified[token] = verified
            if len(self._verified) > VERIFIED_TOKENS:
                self._verified.popitem(last=False)
        else:
            self._verified.move_to_end(token)
        if verified.expires_at <= time.time():
            del self._verified[token]
            return None
        return verified

    async def forget(self, user_id: int) -> None:
        """Before and after changing an account: its cached entry is void.

        Raises RedisError when Redis is unreachable, so that the change is not
        made while a stale entry could outlive it.
        """
        await self.redis.set(_key(user_id), TOMBSTONE, ex=CACHE_TTL_S)
