"""Request dependencies as typed aliases; tests override these, never internals."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel.ext.asyncio.session import AsyncSession

from app.components.backend.errors import ApiError, unauthorized
from app.components.backend.resources import Resources
from app.core.config import Settings
from app.core.security import InvalidTokenError, decode_access_token
from app.models.user import User
from app.services.auth import users

TOKEN_URL = "/api/v1/auth/token"

# auto_error=False: a missing token is answered by `current_user` below, in the
# app's error shape.
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


def get_resources(request: Request) -> Resources:
    return request.app.state.resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]


def get_settings(resources: ResourcesDep) -> Settings:
    return resources.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_session(resources: ResourcesDep) -> AsyncIterator[AsyncSession]:
    async with resources.database.get_async_session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def current_user(
    token: Annotated[str | None, Depends(_bearer)],
    session: SessionDep,
    settings: SettingsDep,
) -> User:
    """The active user the bearer token names; 401 for anything else."""
    if token is None:
        raise unauthorized()
    try:
        subject = decode_access_token(token, settings)
    except InvalidTokenError:
        raise unauthorized("Invalid or expired token") from None
    user = await users.get_user(session, int(subject)) if subject.isdigit() else None
    if user is None or not user.is_active:
        raise unauthorized("Invalid or expired token")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def current_admin(user: CurrentUser) -> User:
    if not user.is_admin:
        raise ApiError(403, "Administrator rights required")
    return user


AdminUser = Annotated[User, Depends(current_admin)]
