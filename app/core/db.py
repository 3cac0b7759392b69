"""Database engines, built on first use and never at import.

A process makes one `Database` from its settings at start-up and disposes of it
at shutdown: the sync engine (psycopg) serves migrations and the CLI, the async
engine (asyncpg) serves requests, workers and the scheduler.
"""

from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from functools import cached_property

from sqlalchemy import Engine, create_engine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings


class Database:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def engine(self) -> Engine:
        return create_engine(
            self.settings.database_url_sync,
            pool_pre_ping=True,
            pool_size=self.settings.DATABASE_POOL_SIZE,
            max_overflow=self.settings.DATABASE_POOL_SIZE,
        )

    @cached_property
    def async_engine(self) -> AsyncEngine:
        return self._create_async_engine()

    @cached_property
    def autocommit_engine(self) -> AsyncEngine:
        """An async engine whose statements run without BEGIN/COMMIT.

        For single statements on hot paths (job history, token checks): each
        is atomic by itself. Its own pool, because a transactional
        connection's pre-ping costs three round trips and an autocommit
        one's costs one.
        """
        return self._create_async_engine(isolation_level="AUTOCOMMIT")

    def _create_async_engine(self, **options: str) -> AsyncEngine:
        return create_async_engine(
            self.settings.database_url_async,
            pool_pre_ping=True,
            pool_size=self.settings.DATABASE_POOL_SIZE,
            max_overflow=self.settings.DATABASE_POOL_SIZE,
            **options,
        )

    @cached_property
    def _async_sessions(self) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(
            self.async_engine, class_=AsyncSession, expire_on_commit=False
        )

    @cached_property
    def _autocommit_sessions(self) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(
            self.autocommit_engine, class_=AsyncSession, expire_on_commit=False
        )

    @contextmanager
    def db_session(self) -> Generator[Session]:
        """A sync session, committed by the caller, closed on exit."""
        with Session(self.engine) as session:
            yield session

    @asynccontextmanager
    async def get_async_session(
        self, *, autocommit: bool = False
    ) -> AsyncGenerator[AsyncSession]:
        """An async session, committed by the caller, closed on exit;
        `autocommit` for a session that only reads."""
        sessions = self._autocommit_sessions if autocommit else self._async_sessions
        async with sessions() as session:
            yield session

    async def dispose(self) -> None:
        """Close every pooled connection the engines opened."""
        if "async_engine" in self.__dict__:
            await self.async_engine.dispose()
        if "autocommit_engine" in self.__dict__:
            await self.autocommit_engine.dispose()
        if "engine" in self.__dict__:
            self.engine.dispose()
