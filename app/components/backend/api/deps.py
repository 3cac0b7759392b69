"""Request dependencies as typed aliases; tests override these, never internals.

Every dependency here is `async def`: FastAPI runs a plain `def` dependency in
a thread pool, which costs more than the work itself.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from fastapi.security.base import SecurityBase
from sqlmodel.ext.asyncio.session import AsyncSession

from app.components.backend.errors import ApiError, unauthorized
from app.components.backend.resources import Resources
from app.core.config import Settings
from app.services.auth.principals import Principal

TOKEN_URL = "/api/v1/auth/token"


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


class _BearerPrincipal(SecurityBase):
    """The OAuth2 bearer scheme that also answers whose token it is: 401 for
    anything but an active account's valid token.

    One dependency where the scheme, the resources and the lookup would be
    three: FastAPI's resolution of each costs more than the lookup from the
    principal cache. The OpenAPI document shows the plain bearer scheme.
    """

    def __init__(self) -> None:
        # auto_error=False: a missing token is refused below, in the app's
        # error shape.
        self._scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
        self.model = self._scheme.model
        self.scheme_name = self._scheme.scheme_name

    async def __call__(self, request: Request) -> Principal:
        token = await self._scheme(request)
        if token is None:
            raise unauthorized()
        resources: Resources = request.app.state.resources
        principal = await resources.principals.for_token(token, resources.settings)
        if principal is None:
            raise unauthorized("Invalid or expired token")
        return principal


current_user = _BearerPrincipal()
CurrentUser = Annotated[Principal, Depends(current_user)]


async def current_admin(user: CurrentUser) -> Principal:
    if not user.is_admin:
        raise ApiError(403, "Administrator rights required")
    return user


AdminUser = Annotated[Principal, Depends(current_admin)]
