"""User management, for administrators only."""

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager, suppress
from typing import Annotated

import structlog
from fastapi import APIRouter, Query, Response
from redis.exceptions import RedisError

from app.components.backend.api.deps import AdminUser, ResourcesDep, SessionDep
from app.components.backend.errors import ApiError
from app.models.user import User, UserPage, UserPublic, UserUpdate
from app.services.auth import users

router = APIRouter(prefix="/users")
log = structlog.get_logger(__name__)

MAX_PAGE_SIZE = 100


@router.get("", response_model=UserPage)
async def list_users(
    admin: AdminUser,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
):
    """List accounts, oldest first."""
    items = await users.list_users(session, offset=offset, limit=limit)
    return UserPage(
        items=[UserPublic.model_validate(user) for user in items],
        total=await users.count_users(session),
        offset=offset,
        limit=limit,
    )


@router.get("/{user_id}", response_model=UserPublic)
async def get_user(user_id: int, admin: AdminUser, session: SessionDep):
    """One account."""
    return await _existing_user(session, user_id)


@router.patch("/{user_id}", response_model=UserPublic)
async def update_user(
    user_id: int,
    changes: UserUpdate,
    admin: AdminUser,
    session: SessionDep,
    resources: ResourcesDep,
):
    """Change an account's email, name, password, activity or admin flag."""
    user = await _existing_user(session, user_id)
    if user.id == admin.id and (
        changes.is_active is False or changes.is_admin is False
    ):
        raise _self_lockout()
    try:
        async with _changing(resources, user_id):
            user = await users.update_user(session, user, changes)
    except users.EmailTakenError:
        raise ApiError(409, "Email already registered", code="email_taken") from None
    log.info("user updated", user_id=user.id, by=admin.id)
    return user


@router.post("/{user_id}/activate", response_model=UserPublic)
async def activate_user(
    user_id: int, admin: AdminUser, session: SessionDep, resources: ResourcesDep
):
    """Allow an account to log in again."""
    user = await _existing_user(session, user_id)
    async with _changing(resources, user_id):
        return await users.update_user(session, user, UserUpdate(is_active=True))


@router.post("/{user_id}/deactivate", response_model=UserPublic)
async def deactivate_user(
    user_id: int, admin: AdminUser, session: SessionDep, resources: ResourcesDep
):
    """Stop an account from logging in; its tokens stop working at once."""
    user = await _existing_user(session, user_id)
    if user.id == admin.id:
        raise _self_lockout()
    async with _changing(resources, user_id):
        user = await users.update_user(session, user, UserUpdate(is_active=False))
    log.info("user deactivated", user_id=user.id, by=admin.id)
    return user


@router.delete("/{user_id}", status_code=204)
async def delete_user(
    user_id: int, admin: AdminUser, session: SessionDep, resources: ResourcesDep
):
    """Remove an account."""
    user = await _existing_user(session, user_id)
    if user.id == admin.id:
        raise _self_lockout()
    async with _changing(resources, user_id):
        await users.delete_user(session, user)
    log.info("user deleted", user_id=user_id, by=admin.id)
    return Response(status_code=204)


@asynccontextmanager
async def _changing(resources: ResourcesDep, user_id: int) -> AsyncGenerator[None]:
    """Void the account's cached principal before and after the change, so no
    request acts on its old state (see app.services.auth.principals)."""
    try:
        await resources.principals.forget(user_id)
    except RedisError:
        raise ApiError(503, "Accounts cannot change while Redis is away") from None
    yield
    with suppress(RedisError):  # the first tombstone still stands
        await resources.principals.forget(user_id)


async def _existing_user(session: SessionDep, user_id: int) -> User:
    user = await users.get_user(session, user_id)
    if user is None:
        raise ApiError(404, f"User {user_id} not found")
    return user


def _self_lockout() -> ApiError:
    return ApiError(
        409,
        "Administrators cannot deactivate, demote or delete themselves",
        code="self_lockout",
    )
