"""Accounts for tests, created through the same service the API uses."""

from httpx import AsyncClient

from app.core.config import Settings
from app.core.db import Database
from app.models.user import User, UserCreate, UserUpdate
from app.services.auth import users

PASSWORD = "correct horse battery staple"


async def create_user(
    settings: Settings,
    email: str,
    *,
    password: str = PASSWORD,
    admin: bool = False,
    active: bool = True,
) -> User:
    database = Database(settings)
    try:
        async with database.get_async_session() as session:
            user = await users.create_user(
                session, UserCreate(email=email, password=password), is_admin=admin
            )
            if not active:
                user = await users.update_user(
                    session, user, UserUpdate(is_active=False)
                )
            return user
    finally:
        await database.dispose()


async def log_in(client: AsyncClient, email: str, password: str = PASSWORD) -> str:
    response = await client.post(
        "/api/v1/auth/token", data={"username": email, "password": password}
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]
