"""Register, log in, /me."""

import jwt
from httpx import AsyncClient

from app.core.config import Settings
from app.models.user import User
from tests.api.conftest import USER_EMAIL
from tests.utils.http import app_client, bearer
from tests.utils.users import PASSWORD, create_user, log_in

REGISTER = "/api/v1/auth/register"
TOKEN = "/api/v1/auth/token"
ME = "/api/v1/auth/me"


async def test_register_creates_an_active_non_admin_user(client: AsyncClient) -> None:
    response = await client.post(
        REGISTER,
        json={"email": "lenny@springfield-nuclear.com", "password": PASSWORD},
    )
    body = response.json()
    assert response.status_code == 201
    assert (body["email"], body["is_active"], body["is_admin"]) == (
        "lenny@springfield-nuclear.com",
        True,
        False,
    )
    assert "password" not in str(body)


async def test_register_refuses_an_email_that_differs_only_in_case(
    client: AsyncClient, user: User
) -> None:
    response = await client.post(
        REGISTER, json={"email": USER_EMAIL.upper(), "password": PASSWORD}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "email_taken"


async def test_register_is_refused_when_turned_off(make_settings) -> None:
    async with app_client(make_settings(AUTH_REGISTRATION_ENABLED=False)) as client:
        response = await client.post(
            REGISTER,
            json={"email": "carl@springfield-nuclear.com", "password": PASSWORD},
        )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "registration_closed"


async def test_register_validation_error_names_the_field(client: AsyncClient) -> None:
    response = await client.post(
        REGISTER, json={"email": "not-an-email", "password": PASSWORD}
    )
    error = response.json()["error"]
    assert response.status_code == 422
    assert error["code"] == "validation_error"
    assert [field["field"] for field in error["fields"]] == ["body.email"]


async def test_register_refuses_a_short_password(client: AsyncClient) -> None:
    response = await client.post(
        REGISTER, json={"email": "moe@springfield.com", "password": "duff"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "body.password"


async def test_long_multibyte_password_registers_and_logs_in(
    client: AsyncClient,
) -> None:
    """200 characters of 3- and 4-byte UTF-8: far past bcrypt's 72 bytes."""
    password = ("原子力発電所🍩" * 29)[:200]
    assert len(password) == 200 and len(password.encode()) > 600
    email = "frink@springfield.com"

    registered = await client.post(
        REGISTER, json={"email": email, "password": password}
    )
    token = await client.post(TOKEN, data={"username": email, "password": password})

    assert registered.status_code == 201
    assert token.status_code == 200


async def test_token_carries_the_configured_claims(
    client: AsyncClient, settings: Settings, user: User
) -> None:
    token = await log_in(client, USER_EMAIL)
    claims = jwt.decode(
        token,
        settings.SECRET_KEY.get_secret_value(),
        algorithms=["HS256"],
        audience=settings.JWT_AUDIENCE,
        issuer=settings.JWT_ISSUER,
    )
    assert claims["sub"] == str(user.id)
    assert claims["exp"] - claims["iat"] == settings.ACCESS_TOKEN_EXPIRE_MINUTES * 60


async def test_wrong_password_is_401_with_www_authenticate(
    client: AsyncClient, user: User
) -> None:
    response = await client.post(
        TOKEN, data={"username": USER_EMAIL, "password": "mmm donuts"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"


async def test_unknown_email_is_401(client: AsyncClient) -> None:
    response = await client.post(
        TOKEN, data={"username": "nobody@springfield.com", "password": PASSWORD}
    )
    assert response.status_code == 401


async def test_an_email_no_account_can_have_is_401_not_a_database_error(
    client: AsyncClient,
) -> None:
    """PostgreSQL's text cannot hold NUL; such an email names no account."""
    for username in ("homer\x00@plant.dev", "x" * 5000):
        response = await client.post(
            "/api/v1/auth/token", data={"username": username, "password": "doh"}
        )
        assert response.status_code == 401, response.text


async def test_login_is_case_insensitive_in_the_email(
    client: AsyncClient, user: User
) -> None:
    assert await log_in(client, USER_EMAIL.upper())


async def test_deactivated_user_gets_no_token(
    client: AsyncClient, settings: Settings
) -> None:
    await create_user(settings, "grimes@springfield-nuclear.com", active=False)
    response = await client.post(
        TOKEN, data={"username": "grimes@springfield-nuclear.com", "password": PASSWORD}
    )
    assert response.status_code == 401
    assert "access_token" not in response.text


async def test_me_returns_the_token_owner(client: AsyncClient, user_token: str) -> None:
    response = await client.get(ME, headers=bearer(user_token))
    assert response.status_code == 200
    assert response.json()["email"] == USER_EMAIL


async def test_me_without_token_is_401_with_www_authenticate(
    client: AsyncClient,
) -> None:
    response = await client.get(ME)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_tampered_or_foreign_tokens_are_refused(
    client: AsyncClient, settings: Settings, user: User
) -> None:
    forged = jwt.encode(
        {"sub": str(user.id), "iat": 0, "exp": 2**31, "iss": "x", "aud": "y"},
        "some-other-key-of-sufficient-length-000000",
    )
    for token in (forged, "not.a.jwt", ""):
        response = await client.get(ME, headers=bearer(token))
        assert response.status_code == 401, token


async def test_expired_token_is_refused(make_settings, settings: Settings) -> None:
    await create_user(settings, USER_EMAIL)
    short_lived = make_settings(ACCESS_TOKEN_EXPIRE_MINUTES=1)
    async with app_client(short_lived) as client:
        token = await log_in(client, USER_EMAIL)
    claims = jwt.decode(token, options={"verify_signature": False})
    expired = jwt.encode(
        {**claims, "iat": claims["iat"] - 7200, "exp": claims["exp"] - 7200},
        settings.SECRET_KEY.get_secret_value(),
    )
    async with app_client(settings) as client:
        response = await client.get(ME, headers=bearer(expired))
    assert response.status_code == 401
