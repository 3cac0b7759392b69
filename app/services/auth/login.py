"""Logging in: the one path the API's token endpoint and the dashboard share.

Attempts are counted per client address and failures per account (see
login_limits); a deactivated account cannot log in.
"""

from app.core.db import Database
from app.models.user import PASSWORD_MAX_LENGTH, User
from app.services.auth import users
from app.services.auth.login_limits import LoginLimiter


class LoginRefusedError(Exception):
    """Wrong email or password, or a deactivated account."""


async def log_in(
    database: Database,
    limiter: LoginLimiter,
    *,
    email: str,
    password: str,
    address: str,
) -> User:
    """The account, if the attempt is allowed and the password right.

    Raises LoginRefusedError, LoginRateLimitedError or LimiterUnavailableError.
    """
    await limiter.check_attempt(address, email)
    user = None
    if len(password) <= PASSWORD_MAX_LENGTH:
        async with database.get_async_session(autocommit=True) as session:
            user = await users.authenticate(session, email, password)
    if user is None:
        await limiter.record_failure(email)
        raise LoginRefusedError("Incorrect email or password")
    if not user.is_active:
        raise LoginRefusedError("Account is deactivated")
    await limiter.record_success(email)
    return user
