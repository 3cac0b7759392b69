"""Request dependencies as typed aliases; tests override these, never internals."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel.ext.asyncio.session import AsyncSession

from app.components.backend.errors import ApiError, unauthorized
from app.components.backend.resources import Resources
from app.core.config import Settings
from app.services.auth.principals import Principal

TOKEN_URL = "/api/v1/auth/token"

# auto_error=False: a missing token is answered by `current_user` below, in the
# app's error shape. Every dependency here is `async def`: FastAPI runs a plain
# `def` dependency in a thread pool, which costs more than the work itself.
_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


async def get_resources(request: Request) -> Resources:
    return request.app.state.resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]


async def get_settings(resources: ResourcesDep) -> Settings:
    return resources.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_session(resources: ResourcesDep) -> AsyncIterator[AsyncSession]:
    async with resources.database.get_async_session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def current_user(
    token: Annotated[str | None, Depends(_bearer)], resources: ResourcesDep
) -> Principal:
    """The active account the bearer token names; 401 for anything else."""
    if token is None:
        raise unauthorized()
    principal = await resources.principals.for_token(token, resources.settings)
    if principal is None:
        raise unauthorized("Invalid or expired token")
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


async def current_admin(user: CurrentUser) -> Principal:
    if not user.is_admin:
        raise ApiError(403, "Administrator rights required")
    return user


AdminUser = Annotated[Principal, Depends(current_admin)]
