"""The connections and services every process needs to work with jobs.

The webserver, the CLI, the scheduler and the workers each open one
`TaskServices` at start-up and close it at shutdown; nothing connects before
the first command.
"""

from dataclasses import dataclass

from arq.connections import ArqRedis
from redis.asyncio import Redis

from app.core.config import Settings
from app.core.db import Database
from app.core.redis import create_arq_client, create_redis_pool
from app.core.topology import Topology
from app.services.tasks.catalog import TaskCatalog
from app.services.tasks.dispatch import TaskDispatcher
from app.services.tasks.events import EventLog
from app.services.tasks.history import TaskHistory


@dataclass
class TaskServices:
    database: Database
    redis: Redis
    arq: ArqRedis
    events: EventLog
    history: TaskHistory
    dispatcher: TaskDispatcher
    owns_arq: bool

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        catalog: TaskCatalog,
        topology: Topology,
        redis: Redis | None = None,
        arq: ArqRedis | None = None,
    ) -> "TaskServices":
        """Build the services; pass `redis` or `arq` to use existing clients
        (this object then closes them too)."""
        database = Database(settings)
        redis = redis or Redis(connection_pool=create_redis_pool(settings))
        arq_client = arq or create_arq_client(settings)
        events = EventLog(redis, max_length=settings.EVENT_STREAM_MAX_LENGTH)
        history = TaskHistory(database)
        dispatcher = TaskDispatcher(
            catalog=catalog,
            topology=topology,
            history=history,
            events=events,
            arq=arq_client,
            redis=redis,
        )
        return cls(
            database=database,
            redis=redis,
            arq=arq_client,
            events=events,
            history=history,
            dispatcher=dispatcher,
            owns_arq=arq is None,
        )

    async def close(self) -> None:
        """Close the Redis connections this object opened, and the database."""
        await self.redis.aclose(close_connection_pool=True)
        if self.owns_arq:
            await self.arq.aclose(close_connection_pool=True)
        await self.database.dispose()
