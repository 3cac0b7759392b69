"""The plant's pulse: live queue counters, completion rates and the activity
feed, kept once per webserver process and shared by every dashboard tab.

It runs only while at least one tab watches. One subscription to the event hub
feeds it: each job event marks the counters stale, and they are re-read from
Redis in one pipelined round trip (at most every RESYNC_INTERVAL_S), so they
are exact instead of sums of deltas that drift. Completions and failures feed a
per-queue rate over the last minute, from which a backlog's ETA follows. Tabs
wait on `changed()` and redraw what moved.
"""

import asyncio
import contextlib
import time
from collections import defaultdict, deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from redis.asyncio import Redis

from app.components.backend.event_hub import EventHub, HubFullError
from app.core.topology import Topology
from app.services.health.service import HealthReport
from app.services.health.tree import Status
from app.services.tasks.events import EventLog
from app.services.tasks.workers import QueueCounts, queue_counts

log = structlog.get_logger(__name__)

ACTIVITY_KEPT = 100
RATE_WINDOW_S = 60.0
# Rates measured over less than this are too noisy to show.
RATE_MIN_SPAN_S = 5.0
RESYNC_INTERVAL_S = 0.2
RESUBSCRIBE_DELAY_S = 1.0

_SEVERITIES = {
    "job.enqueued": "info",
    "job.started": "info",
    "job.completed": "success",
    "job.failed": "error",
    "job.retrying": "warning",
    "job.cancelled": "warning",
    "worker.started": "success",
    "worker.stopped": "warning",
}
_STATUS_SEVERITIES = {
    Status.HEALTHY: "success",
    Status.INFO: "info",
    Status.WARNING: "warning",
    Status.UNHEALTHY: "error",
}


@dataclass(frozen=True)
class Activity:
    at: datetime
    severity: str  # info, success, warning or error
    source: str  # a queue or a component
    text: str


def activity_of(data: dict[str, Any]) -> Activity | None:
    """A feed line for a job or worker event; None for events it does not know."""
    kind = data.get("type", "")
    severity = _SEVERITIES.get(kind)
    if severity is None:
        return None
    what = kind.partition(".")[2]
    if kind.startswith("worker."):
        text = f"worker {data.get('worker_id', '?')} {what}"
    else:
        text = f"{data.get('task', 'job')} {what}"
        if data.get("attempt", 1) > 1:
            text += f" (attempt {data['attempt']})"
        if data.get("error"):
            text += f": {data['error']}"
    try:
        at = datetime.fromisoformat(data["at"])
    except (KeyError, ValueError):
        at = datetime.now(UTC)
    return Activity(at, severity, data.get("queue", "?"), text)


class RateMeter:
    """Jobs finished per second on each queue, over the last RATE_WINDOW_S."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self._finished: dict[str, deque[float]] = defaultdict(deque)

    def count(self, queue: str, now: float | None = None) -> None:
        self._finished[queue].append(now if now is not None else time.monotonic())

    def rate(self, queue: str, now: float | None = None) -> float | None:
        """Per second, or None while the meter has watched too briefly."""
        now = now if now is not None else time.monotonic()
        span = min(RATE_WINDOW_S, now - self.started)
        if span < RATE_MIN_SPAN_S:
            return None
        finished = self._finished[queue]
        while finished and finished[0] < now - RATE_WINDOW_S:
            finished.popleft()
        return len(finished) / span


def eta_s(queued: int, rate: float | None) -> float | None:
    """Seconds until a backlog drains at `rate`; None when it does not drain."""
    if queued == 0:
        return 0.0
    if not rate:
        return None
    return queued / rate


class PlantPulse:
    def __init__(
        self, hub: EventHub, events: EventLog, redis: Redis, topology: Topology
    ) -> None:
        self.hub = hub
        self.events = events
        self.redis = redis
        self.topology = topology
        self.counts: dict[str, QueueCounts] = {}
        self.activity: deque[Activity] = deque(maxlen=ACTIVITY_KEPT)
        self.rates = RateMeter()
        # Bumped on every change; tabs compare it with the version they drew.
        self.version = 0
        # Bumped when a worker comes or goes: tabs then refresh in full.
        self.workers_version = 0
        self._tick = asyncio.Event()
        self._watchers = 0
        self._task: asyncio.Task | None = None
        self._stale = asyncio.Event()
        self._statuses: dict[str, Status] = {}
        self._health_seen: datetime | None = None

    @contextlib.asynccontextmanager
    async def watching(self) -> AsyncGenerator["PlantPulse"]:
        """Keep the pulse running while the caller watches."""
        self._watchers += 1
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        try:
            yield self
        finally:
            self._watchers -= 1
            if self._watchers == 0:
                await self.stop()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def changed(self, seen: int, timeout_s: float) -> int:
        """The version once it differs from `seen`, or after `timeout_s`."""
        if self.version == seen:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._tick.wait(), timeout_s)
        return self.version

    def rate(self, queue: str) -> float | None:
        return self.rates.rate(queue)

    def observe_health(self, report: HealthReport) -> None:
        """Feed lines for components whose status changed since the last report
        (and, at the first, for those not healthy)."""
        if self._health_seen is not None and report.checked_at <= self._health_seen:
            return
        first = self._health_seen is None
        self._health_seen = report.checked_at
        for name, component in report.root.components.items():
            before = self._statuses.get(name)
            self._statuses[name] = component.status
            if before == component.status or (
                first and component.status == Status.HEALTHY
            ):
                continue
            change = f"{before} to {component.status}" if before else component.status
            self.activity.append(
                Activity(
                    report.checked_at,
                    _STATUS_SEVERITIES[component.status],
                    name,
                    f"{change}: {component.message}",
                )
            )
        self._bump()

    async def _run(self) -> None:
        await self._load()
        resync = asyncio.create_task(self._resync_forever())
        try:
            while True:
                try:
                    async with self.hub.subscribe() as subscription:
                        async for entry in subscription.entries():
                            self._take(entry.data)
                except HubFullError:
                    log.warning("dashboard pulse waits for a live-event place")
                await asyncio.sleep(RESUBSCRIBE_DELAY_S)
        finally:
            resync.cancel()
            await asyncio.gather(resync, return_exceptions=True)

    async def _load(self) -> None:
        """The feed's recent past from the stream, and the counters as they are."""
        try:
            recent = await self.events.recent(ACTIVITY_KEPT)
        except Exception:  # Redis away: the feed starts empty
            log.warning("dashboard pulse could not read recent events", exc_info=True)
            recent = []
        for entry in recent:
            if (activity := activity_of(entry.data)) is not None:
                self.activity.append(activity)
        self._stale.set()

    def _take(self, data: dict[str, Any]) -> None:
        kind = data.get("type", "")
        if kind in ("job.completed", "job.failed") and "queue" in data:
            self.rates.count(data["queue"])
        if kind.startswith("worker."):
            self.workers_version += 1
        if (activity := activity_of(data)) is not None:
            self.activity.append(activity)
        self._stale.set()
        self._bump()

    async def _resync_forever(self) -> None:
        while True:
            await self._stale.wait()
            self._stale.clear()
            try:
                self.counts = await queue_counts(
                    self.redis, self.topology.queues.values()
                )
            except Exception:  # Redis away: keep the last counts, retry later
                log.warning("dashboard pulse could not read counters", exc_info=True)
                self._stale.set()
                await asyncio.sleep(RESUBSCRIBE_DELAY_S)
                continue
            self._bump()
            await asyncio.sleep(RESYNC_INTERVAL_S)

    def _bump(self) -> None:
        self.version += 1
        tick, self._tick = self._tick, asyncio.Event()
        tick.set()
