"""The plant's pulse against real Redis: counters, the feed, rates, and that
it stops reading once nobody watches."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from app.components.backend.resources import Resources, open_resources
from app.components.frontend.pulse import (
    RATE_MIN_SPAN_S,
    RATE_WINDOW_S,
    PlantPulse,
    RateMeter,
    activity_of,
    eta_s,
)
from app.core.config import Settings
from app.services.health.service import HealthReport
from app.services.health.tree import Component, Status
from app.services.tasks.events import event
from tests.utils.processes import eventually


@pytest.fixture
async def resources(settings: Settings) -> AsyncIterator[Resources]:
    async with open_resources(settings) as opened:
        yield opened


def _pulse(resources: Resources) -> PlantPulse:
    return PlantPulse(
        resources.event_hub,
        resources.tasks.events,
        resources.redis,
        resources.topology,
    )


async def test_job_events_move_the_counters_and_the_feed(resources: Resources) -> None:
    pulse = _pulse(resources)
    async with pulse.watching():

        async def counted() -> bool:
            return "grimey" in pulse.counts

        await eventually(counted, timeout_s=5, message="the first counts")
        seen = pulse.version
        await resources.tasks.dispatcher.enqueue("grimey_sim_task", source="test")
        assert await pulse.changed(seen, timeout_s=2) != seen

        async def queued() -> bool:
            return pulse.counts["grimey"].queued == 1

        await eventually(queued, timeout_s=2, message="grimey's job to be counted")
        latest = pulse.activity[-1]
        assert (latest.source, latest.severity) == ("grimey", "info")
        assert latest.text == "grimey_sim_task enqueued"

        await resources.tasks.events.publish(
            event("worker.started", worker_id="w-1", queue="lenny")
        )

        async def noticed() -> bool:
            return pulse.workers_version == 1

        await eventually(noticed, timeout_s=2, message="the worker to be noticed")
        assert resources.event_hub.subscribers
    assert not resources.event_hub.subscribers  # nobody watches: no reading


async def test_the_feed_starts_with_what_the_stream_already_holds(
    resources: Resources,
) -> None:
    for n in range(3):
        await resources.tasks.events.publish(
            event(
                "job.failed",
                job_id=str(n),
                task="homer_sim_task",
                queue="homer",
                error="D'oh",
            )
        )
    pulse = _pulse(resources)
    async with pulse.watching():

        async def loaded() -> bool:
            return len(pulse.activity) == 3

        await eventually(loaded, timeout_s=5, message="the recent events")
    assert {a.text for a in pulse.activity} == {"homer_sim_task failed: D'oh"}
    assert {a.severity for a in pulse.activity} == {"error"}


def test_activity_lines_name_what_happened() -> None:
    retry = activity_of(
        event(
            "job.retrying",
            task="charlie_sim_task",
            queue="charlie",
            attempt=2,
            error="timeout",
        )
    )
    assert retry is not None
    assert (retry.severity, retry.text) == (
        "warning",
        "charlie_sim_task retrying (attempt 2): timeout",
    )
    stopped = activity_of(event("worker.stopped", worker_id="w-9", queue="carl"))
    assert stopped is not None and stopped.text == "worker w-9 stopped"
    assert activity_of({"type": "something.else"}) is None


def test_rates_need_a_few_seconds_and_forget_the_old() -> None:
    meter = RateMeter()
    start = meter.started
    meter.count("lenny", start + 1)
    assert meter.rate("lenny", start + 2) is None  # too soon to tell
    for second in range(2, 12):
        meter.count("lenny", start + second)
    assert meter.rate("lenny", start + 11) == pytest.approx(11 / 11)
    late = start + RATE_WINDOW_S + 30
    assert meter.rate("lenny", late) == pytest.approx(0.0)
    assert RATE_MIN_SPAN_S < 11


def test_eta_of_a_backlog() -> None:
    assert eta_s(0, None) == 0.0
    assert eta_s(12, 0.5) == 24.0
    assert eta_s(12, 0.0) is None
    assert eta_s(12, None) is None


def test_health_changes_reach_the_feed_once(resources: Resources) -> None:
    pulse = _pulse(resources)

    def report(cache: Status, at: datetime) -> HealthReport:
        return HealthReport(
            Component.group(
                {
                    "cache": Component(status=cache, message="Redis"),
                    "database": Component(status=Status.HEALTHY, message="PG"),
                }
            ),
            at,
        )

    now = datetime.now(UTC)
    pulse.observe_health(report(Status.HEALTHY, now))
    assert not pulse.activity  # a healthy start is not news
    pulse.observe_health(report(Status.UNHEALTHY, now + timedelta(seconds=5)))
    pulse.observe_health(report(Status.UNHEALTHY, now + timedelta(seconds=5)))
    assert [(a.source, a.severity, a.text) for a in pulse.activity] == [
        ("cache", "error", "healthy to unhealthy: Redis")
    ]
