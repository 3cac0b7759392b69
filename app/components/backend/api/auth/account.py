"""Register, log in, and who am I."""

from typing import Annotated

import structlog
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from app.components.backend.api.deps import (
    CurrentUser,
    ResourcesDep,
    SessionDep,
    SettingsDep,
)
from app.components.backend.api.route_table import RouteTable
from app.components.backend.errors import ApiError, unauthorized
from app.core.security import create_access_token
from app.models.user import UserCreate, UserPublic
from app.services.auth import users
from app.services.auth.login import LoginRefusedError, log_in
from app.services.auth.login_limits import (
    LimiterUnavailableError,
    LoginRateLimitedError,
)

routes = RouteTable(tags=["auth"])
log = structlog.get_logger(__name__)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


@routes.post("/register", status_code=201, response_model=UserPublic)
async def register(data: UserCreate, session: SessionDep, settings: SettingsDep):
    """Create an account (when registration is open)."""
    if not settings.registration_open:
        raise ApiError(403, "Registration is closed", code="registration_closed")
    try:
        user = await users.create_user(session, data)
    except users.EmailTakenError:
        raise ApiError(409, "Email already registered", code="email_taken") from None
    log.info("user registered", user_id=user.id)
    return user


@routes.post("/token", response_model=TokenResponse)
async def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    resources: ResourcesDep,
):
    """Exchange an email and password for an access token."""
    address = request.client.host if request.client else "unknown"
    try:
        user = await log_in(
            resources.database,
            resources.login_limiter,
            email=form.username,
            password=form.password,
            address=address,
        )
    except LoginRefusedError as refused:
        log.info("login refused", client=address)
        raise unauthorized(str(refused)) from None
    except LoginRateLimitedError as limited:
        log.warning("login rate limited", client=address)
        raise ApiError(
            429, str(limited), headers={"Retry-After": str(limited.retry_after_s)}
        ) from None
    except LimiterUnavailableError:
        raise ApiError(503, "Login is unavailable: Redis is unreachable") from None
    token = create_access_token(str(user.id), resources.settings)
    log.info("login", user_id=user.id)
    return TokenResponse(access_token=token.token, expires_in=token.expires_in_s)


@routes.get("/me", response_model=UserPublic)
async def read_me(user: CurrentUser):
    """The account the token belongs to."""
    return user
