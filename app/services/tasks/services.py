"""The connections and services every process needs to work with jobs.

The webserver, the CLI, the scheduler and the workers each open one
`TaskServices` at start-up and close it at shutdown; nothing connects before
the first command.
"""

from dataclasses import dataclass

from redis.asyncio import Redis

from app.core.config import Settings
from app.core.db import Database
from app.core.redis import create_redis_pool
from app.core.topology import Topology
from app.services.tasks.catalog import TaskCatalog
from app.services.tasks.dispatch import TaskDispatcher
from app.services.tasks.events import EventLog
from app.services.tasks.history import TaskHistory


@dataclass
class TaskServices:
    database: Database
    redis: Redis
    events: EventLog
    history: TaskHistory
    dispatcher: TaskDispatcher

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        catalog: TaskCatalog,
        topology: Topology,
        redis: Redis | None = None,
    ) -> "TaskServices":
        """Build the services; pass `redis` to use an existing client (this
        object then closes it too)."""
        database = Database(settings)
        redis = redis or Redis(connection_pool=create_redis_pool(settings))
        events = EventLog(redis, max_length=settings.EVENT_STREAM_MAX_LENGTH)
        history = TaskHistory(database)
        dispatcher = TaskDispatcher(
            catalog=catalog,
            topology=topology,
            history=history,
            events=events,
            redis=redis,
        )
        return cls(
            database=database,
            redis=redis,
            events=events,
            history=history,
            dispatcher=dispatcher,
        )

    async def close(self) -> None:
        """Close the Redis connections and the database engines."""
        await self.redis.aclose(close_connection_pool=True)
        await self.database.dispose()
