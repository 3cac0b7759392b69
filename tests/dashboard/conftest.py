"""A real plant for the browser: the webserver (API + dashboard) as a child
process on the test PostgreSQL and Redis, two accounts, and Chromium."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser

from app.core.config import Settings
from tests.utils.browser import chromium
from tests.utils.processes import running_webserver
from tests.utils.users import PASSWORD, create_user

ADMIN = "mr.burns@plant.dev"
USER = "homer@plant.dev"
# Short enough that a test sees the fallback refresh, and a lost login, quickly.
REFRESH_S = 2


@dataclass
class Plant:
    settings: Settings
    url: str
    log_dir: Path
    password: str = PASSWORD


@pytest.fixture
async def plant(make_settings, tmp_path: Path) -> AsyncIterator[Plant]:
    settings = make_settings(SIMULATION_TIME_SCALE=0.01)
    await create_user(settings, ADMIN, admin=True)
    await create_user(settings, USER)
    with running_webserver(
        settings,
        tmp_path,
        DASHBOARD_REFRESH_SECONDS=str(REFRESH_S),
        SIMULATION_TIME_SCALE="0.01",
    ) as url:
        yield Plant(settings, url, tmp_path)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched
