"""Password hashing (Argon2 through pwdlib) and access tokens (JWT through PyJWT)."""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.core.config import Settings

# Argon2 hashes the whole password, whatever its length in bytes (bcrypt stops
# at 72), so long multi-byte passwords are safe.
_password_hash = PasswordHash((Argon2Hasher(),))


@cache
def _dummy_hash() -> str:
    """Checked when the account does not exist, so that a login takes as long
    for an unknown email as for a wrong password."""
    return _password_hash.hash("sector-7g timing equaliser")


def hash_password(password: str) -> str:
    return _password_hash.hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    if hashed is None:
        _password_hash.verify(password, _dummy_hash())
        return False
    return _password_hash.verify(password, hashed)


async def hash_password_async(password: str) -> str:
    """`hash_password` off the event loop: Argon2 takes tens of milliseconds."""
    return await asyncio.to_thread(hash_password, password)


async def verify_password_async(password: str, hashed: str | None) -> bool:
    return await asyncio.to_thread(verify_password, password, hashed)


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_in_s: int


class InvalidTokenError(Exception):
    """The token is malformed, expired, or not ours."""


def create_access_token(subject: str, settings: Settings) -> AccessToken:
    issued_at = datetime.now(UTC)
    lifetime = timedelta(minutes=settings.ACCESS_TOKEN_EXPIRE_MINUTES)
    claims = {
        "sub": subject,
        "iat": issued_at,
        "exp": issued_at + lifetime,
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
    }
    token = jwt.encode(
        claims, settings.SECRET_KEY.get_secret_value(), settings.JWT_ALGORITHM
    )
    return AccessToken(token=token, expires_in_s=int(lifetime.total_seconds()))


@dataclass(frozen=True)
class VerifiedToken:
    subject: str
    expires_at: float  # seconds since the epoch


def verify_access_token(token: str, settings: Settings) -> VerifiedToken:
    """A valid token's subject and expiry; `InvalidTokenError` otherwise."""
    try:
        claims = jwt.decode(
            token,
            settings.SECRET_KEY.get_secret_value(),
            algorithms=[settings.JWT_ALGORITHM],
            audience=settings.JWT_AUDIENCE,
            issuer=settings.JWT_ISSUER,
            options={"require": ["sub", "exp", "iat", "iss", "aud"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidTokenError(str(error)) from error
    return VerifiedToken(subject=str(claims["sub"]), expires_at=float(claims["exp"]))
