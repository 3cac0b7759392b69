"""An HTTP client wired to an app in-process, its lifespan running."""

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from app.components.backend.app import create_app
from app.core.config import Settings

BASE_URL = "http://sector-7g.test"


@asynccontextmanager
async def app_client(
    settings: Settings, app: FastAPI | None = None
) -> AsyncGenerator[AsyncClient]:
    app = app or create_app(settings)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url=BASE_URL) as http,
    ):
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
