"""An administrator's changes to accounts: the rules the API and dashboard share.

An administrator may not deactivate, demote or delete their own account (so
the plant never loses its last way in by accident). Every change voids the
account's cached principal before and after it is made, so no request acts on
the account's old state (see app.services.auth.principals).
"""

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager, suppress

import structlog
from redis.exceptions import RedisError
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.db import Database
from app.models.user import User, UserUpdate
from app.services.auth import users
from app.services.auth.principals import Principal, Principals

log = structlog.get_logger(__name__)


class UserNotFoundError(Exception):
    def __init__(self, user_id: int) -> None:
        super().__init__(f"User {user_id} not found")


class SelfLockoutError(Exception):
    def __init__(self) -> None:
        super().__init__(
            "Administrators cannot deactivate, demote or delete themselves"
        )


class AccountsUnavailableError(Exception):
    def __init__(self) -> None:
        super().__init__("Accounts cannot change while Redis is away")


class Accounts:
    def __init__(self, database: Database, principals: Principals) -> None:
        self.database = database
        self.principals = principals

    async def update(self, admin: Principal, user_id: int, changes: UserUpdate) -> User:
        """Raises UserNotFoundError, SelfLockoutError, AccountsUnavailableError
        or users.EmailTakenError."""
        if user_id == admin.id and (
            changes.is_active is False or changes.is_admin is False
        ):
            raise SelfLockoutError
        async with self.database.get_async_session() as session:
            user = await self._existing(session, user_id)
            async with self._changing(user_id):
                user = await users.update_user(session, user, changes)
        log.info(
            "user updated",
            user_id=user_id,
            by=admin.id,
            fields=sorted(changes.model_dump(exclude_unset=True)),
        )
        return user

    async def activate(self, admin: Principal, user_id: int) -> User:
        return await self.update(admin, user_id, UserUpdate(is_active=True))

    async def deactivate(self, admin: Principal, user_id: int) -> User:
        """The account's tokens stop working at once."""
        return await self.update(admin, user_id, UserUpdate(is_active=False))

    async def delete(self, admin: Principal, user_id: int) -> None:
        if user_id == admin.id:
            raise SelfLockoutError
        async with self.database.get_async_session() as session:
            user = await self._existing(session, user_id)
            async with self._changing(user_id):
                await users.delete_user(session, user)
        log.info("user deleted", user_id=user_id, by=admin.id)

    @staticmethod
    async def _existing(session: AsyncSession, user_id: int) -> User:
        user = await users.get_user(session, user_id)
        if user is None:
            raise UserNotFoundError(user_id)
        return user

    @asynccontextmanager
    async def _changing(self, user_id: int) -> AsyncGenerator[None]:
        try:
            await self.principals.forget(user_id)
        except RedisError:
            raise AccountsUnavailableError from None
        yield
        with suppress(RedisError):  # the first tombstone still stands
            await self.principals.forget(user_id)
