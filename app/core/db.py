"""Database connections, opened on first use and never at import.

A process makes one `Database` from its settings at start-up and disposes of it
at shutdown. SQLAlchemy's engines serve the models: the sync engine (psycopg)
migrations and the CLI, the async engine (asyncpg) requests. asyncpg's own pool
serves plain statements: the job history, which every process writes, and all
of the scheduler's tables; workers and the scheduler never load SQLAlchemy.
"""

import asyncio
from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

import asyncpg

from app.core.config import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
    from sqlmodel import Session
    from sqlmodel.ext.asyncio.session import AsyncSession


class Database:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: asyncpg.Pool | None = None
        self._pool_opening = asyncio.Lock()

    async def pool(self) -> asyncpg.Pool:
        """asyncpg's pool: statements run without BEGIN/COMMIT (each is atomic
        by itself), and a closed connection is replaced on its next use."""
        if self._pool is None:
            async with self._pool_opening:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        self.settings.postgres_dsn,
                        min_size=0,
                        max_size=self.settings.DATABASE_POOL_SIZE,
                    )
        return self._pool

    @cached_property
    def engine(self) -> "Engine":
        from sqlalchemy import create_engine

        return create_engine(
            self.settings.database_url_sync,
            pool_pre_ping=True,
            pool_size=self.settings.DATABASE_POOL_SIZE,
            max_overflow=self.settings.DATABASE_POOL_SIZE,
        )

    @cached_property
    def async_engine(self) -> "AsyncEngine":
        return self._create_async_engine()

    @cached_property
    def autocommit_engine(self) -> "AsyncEngine":
        """An async engine whose statements run without BEGIN/COMMIT.

        For single statements on hot paths (token checks, health): each is
        atomic by itself. Its own pool, because a transactional connection's
        pre-ping costs three round trips and an autocommit one's costs one.
        """
        return self._create_async_engine(isolation_level="AUTOCOMMIT")

    def _create_async_engine(self, **options: str) -> "AsyncEngine":
        from sqlalchemy.ext.asyncio import create_async_engine

        return create_async_engine(
            self.settings.database_url_async,
            pool_pre_ping=True,
            pool_size=self.settings.DATABASE_POOL_SIZE,
            max_overflow=self.settings.DATABASE_POOL_SIZE,
            **options,
        )

    @cached_property
    def _async_sessions(self) -> "async_sessionmaker[AsyncSession]":
        return self._sessionmaker(self.async_engine)

    @cached_property
    def _autocommit_sessions(self) -> "async_sessionmaker[AsyncSession]":
        return self._sessionmaker(self.autocommit_engine)

    @staticmethod
    def _sessionmaker(engine: "AsyncEngine") -> "async_sessionmaker[AsyncSession]":
        from sqlalchemy.ext.asyncio import async_sessionmaker
        from sqlmodel.ext.asyncio.session import AsyncSession

        return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    @contextmanager
    def db_session(self) -> Generator["Session"]:
        """A sync session, committed by the caller, closed on exit."""
        from sqlmodel import Session

        with Session(self.engine) as session:
            yield session

    @asynccontextmanager
    async def get_async_session(
        self, *, autocommit: bool = False
    ) -> AsyncGenerator["AsyncSession"]:
        """An async session, committed by the caller, closed on exit;
        `autocommit` for a session that only reads."""
        sessions = self._autocommit_sessions if autocommit else self._async_sessions
        async with sessions() as session:
            yield session

    async def dispose(self) -> None:
        """Close every pooled connection this object opened."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        if "async_engine" in self.__dict__:
            await self.async_engine.dispose()
        if "autocommit_engine" in self.__dict__:
            await self.autocommit_engine.dispose()
        if "engine" in self.__dict__:
            self.engine.dispose()
