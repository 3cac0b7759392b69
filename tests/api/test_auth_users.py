"""Administrators manage accounts; nobody else may."""

from httpx import AsyncClient

from app.core.config import Settings
from app.models.user import User
from tests.api.conftest import ADMIN_EMAIL, USER_EMAIL
from tests.utils.http import bearer
from tests.utils.users import PASSWORD, create_user

USERS = "/api/v1/auth/users"
TOKEN = "/api/v1/auth/token"


async def test_anonymous_call_to_an_admin_route_is_401(client: AsyncClient) -> None:
    response = await client.get(USERS)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_non_admin_token_is_403(client: AsyncClient, user_token: str) -> None:
    response = await client.get(USERS, headers=bearer(user_token))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


async def test_list_is_paginated_with_a_total(
    client: AsyncClient, settings: Settings, admin_token: str
) -> None:
    for n in range(4):
        await create_user(settings, f"drone{n}@springfield-nuclear.com")

    first = (
        await client.get(USERS, params={"limit": 2}, headers=bearer(admin_token))
    ).json()
    last = (
        await client.get(
            USERS, params={"offset": 4, "limit": 2}, headers=bearer(admin_token)
        )
    ).json()

    assert (first["total"], first["offset"], first["limit"]) == (5, 0, 2)
    assert [u["email"] for u in first["items"]] == [
        ADMIN_EMAIL,
        "drone0@springfield-nuclear.com",
    ]
    assert [u["email"] for u in last["items"]] == ["drone3@springfield-nuclear.com"]


async def test_page_size_is_bounded(client: AsyncClient, admin_token: str) -> None:
    response = await client.get(
        USERS, params={"limit": 1000}, headers=bearer(admin_token)
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "query.limit"


async def test_get_unknown_user_is_404_in_the_error_shape(
    client: AsyncClient, admin_token: str
) -> None:
    response = await client.get(f"{USERS}/999", headers=bearer(admin_token))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.json()["error"]["request_id"] == response.headers["x-request-id"]


async def test_update_changes_fields_from_a_json_body(
    client: AsyncClient, admin_token: str, user: User
) -> None:
    response = await client.patch(
        f"{USERS}/{user.id}",
        json={"full_name": "Homer J. Simpson", "is_admin": True},
        headers=bearer(admin_token),
    )
    assert response.status_code == 200
    assert (response.json()["full_name"], response.json()["is_admin"]) == (
        "Homer J. Simpson",
        True,
    )


async def test_update_password_takes_effect(
    client: AsyncClient, admin_token: str, user: User
) -> None:
    await client.patch(
        f"{USERS}/{user.id}",
        json={"password": "new-password-1"},
        headers=bearer(admin_token),
    )
    old = await client.post(TOKEN, data={"username": USER_EMAIL, "password": PASSWORD})
    new = await client.post(
        TOKEN, data={"username": USER_EMAIL, "password": "new-password-1"}
    )
    assert (old.status_code, new.status_code) == (401, 200)


async def test_update_to_a_taken_email_is_409(
    client: AsyncClient, admin_token: str, user: User
) -> None:
    response = await client.patch(
        f"{USERS}/{user.id}",
        json={"email": ADMIN_EMAIL.upper()},
        headers=bearer(admin_token),
    )
    assert response.status_code == 409


async def test_deactivate_blocks_login_and_existing_tokens_activate_restores(
    client: AsyncClient, admin_token: str, user: User, user_token: str
) -> None:
    deactivated = await client.post(
        f"{USERS}/{user.id}/deactivate", headers=bearer(admin_token)
    )
    me = await client.get("/api/v1/auth/me", headers=bearer(user_token))
    login = await client.post(
        TOKEN, data={"username": USER_EMAIL, "password": PASSWORD}
    )
    activated = await client.post(
        f"{USERS}/{user.id}/activate", headers=bearer(admin_token)
    )
    login_again = await client.post(
        TOKEN, data={"username": USER_EMAIL, "password": PASSWORD}
    )

    assert deactivated.json()["is_active"] is False
    assert (me.status_code, login.status_code) == (401, 401)
    assert activated.json()["is_active"] is True
    assert login_again.status_code == 200


async def test_delete_removes_the_account(
    client: AsyncClient, admin_token: str, user: User
) -> None:
    deleted = await client.delete(f"{USERS}/{user.id}", headers=bearer(admin_token))
    fetched = await client.get(f"{USERS}/{user.id}", headers=bearer(admin_token))
    assert (deleted.status_code, fetched.status_code) == (204, 404)


async def test_admin_cannot_lock_themselves_out(
    client: AsyncClient, admin: User, admin_token: str
) -> None:
    headers = bearer(admin_token)
    responses = [
        await client.post(f"{USERS}/{admin.id}/deactivate", headers=headers),
        await client.patch(
            f"{USERS}/{admin.id}", json={"is_admin": False}, headers=headers
        ),
        await client.delete(f"{USERS}/{admin.id}", headers=headers),
    ]
    assert [r.status_code for r in responses] == [409, 409, 409]
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
