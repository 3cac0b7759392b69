"""Passwords and access tokens."""

import time

import pytest

from app.core.security import (
    InvalidTokenError,
    create_access_token,
    hash_password,
    verify_access_token,
    verify_password,
)
from tests.conftest import settings_for

SETTINGS = settings_for("postgresql://x@y/z", "redis://x:1/0")


def test_long_multibyte_passwords_hash_and_verify_in_full() -> None:
    password = "ß" * 199 + "a"
    hashed = hash_password(password)
    assert verify_password(password, hashed)
    assert not verify_password("ß" * 199 + "b", hashed)  # differs past byte 72


def test_unknown_account_fails_verification() -> None:
    assert verify_password("anything", None) is False


def test_token_round_trip() -> None:
    token = create_access_token("42", SETTINGS)
    verified = verify_access_token(token.token, SETTINGS)
    assert verified.subject == "42"
    assert verified.expires_at - time.time() == pytest.approx(token.expires_in_s, abs=5)
    assert token.expires_in_s == SETTINGS.ACCESS_TOKEN_EXPIRE_MINUTES * 60


@pytest.mark.parametrize(
    "other", [{"JWT_AUDIENCE": "elsewhere"}, {"JWT_ISSUER": "shelbyville"}]
)
def test_tokens_for_another_audience_or_issuer_are_refused(other) -> None:
    token = create_access_token(
        "42", settings_for("postgresql://x@y/z", "redis://x:1/0", **other)
    )
    with pytest.raises(InvalidTokenError):
        verify_access_token(token.token, SETTINGS)


def test_tokens_signed_with_another_key_are_refused() -> None:
    other = settings_for("postgresql://x@y/z", "redis://x:1/0", SECRET_KEY="z" * 40)
    with pytest.raises(InvalidTokenError):
        verify_access_token(create_access_token("42", other).token, SETTINGS)
