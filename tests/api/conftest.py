import pytest
from httpx import AsyncClient

from app.core.config import Settings
from app.models.user import User
from tests.utils.users import create_user, log_in

ADMIN_EMAIL = "burns@springfield-nuclear.com"
USER_EMAIL = "homer@springfield-nuclear.com"


@pytest.fixture
async def admin(settings: Settings) -> User:
    return await create_user(settings, ADMIN_EMAIL, admin=True)


@pytest.fixture
async def user(settings: Settings) -> User:
    return await create_user(settings, USER_EMAIL)


@pytest.fixture
async def admin_token(client: AsyncClient, admin: User) -> str:
    return await log_in(client, ADMIN_EMAIL)


@pytest.fixture
async def user_token(client: AsyncClient, user: User) -> str:
    return await log_in(client, USER_EMAIL)
