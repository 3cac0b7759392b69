"""How the dashboard writes numbers and times."""

from datetime import UTC, datetime, timedelta

from app.components.frontend import format
from app.components.frontend.queues import (
    DETAIL_COLUMNS,
    cell_text,
    queue_state,
)
from app.services.health.tree import Component, Status
from app.services.tasks.workers import QueueCounts

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_relative_times() -> None:
    assert format.relative(NOW - timedelta(seconds=10), NOW) == "just now"
    assert format.relative(NOW + timedelta(seconds=10), NOW) == "in a moment"
    assert format.relative(NOW - timedelta(minutes=5), NOW) == "5 min ago"
    assert format.relative(NOW + timedelta(hours=3), NOW) == "in 3 h"
    assert format.relative((NOW - timedelta(days=2)).isoformat(), NOW) == "2 d ago"
    assert format.relative(None) == "-"


def test_sizes_spans_and_etas() -> None:
    assert format.size(512) == "512 B"
    assert format.size(41_246_055) == "39.3 MiB"
    assert format.span(42) == "42 s"
    assert format.span(4225) == "1.2 h"
    assert format.eta(0.0) == "done"
    assert format.eta(None) == "-"
    assert format.duration_ms(1520) == "1.5 s"


def test_the_queue_table_cells() -> None:
    counts = QueueCounts(
        queued=9, running=3, completed=30, failed=10, retried=1, cancelled=0
    )
    cells = {column.key: cell_text(column, counts, 0.5) for column in DETAIL_COLUMNS}
    assert cells == {
        "queued": "9",
        "running": "3",
        "completed": "30",
        "failed": "10",
        "success": "75%",
        "rate": "0.50",
        "eta": "18 s",
    }


def test_a_queue_in_words() -> None:
    def queue(status: Status, alive: int, running: int = 0) -> Component:
        return Component(
            status=status, metadata={"workers_alive": alive, "running": running}
        )

    assert queue_state(queue(Status.WARNING, 0)) == (Status.WARNING, "Offline")
    assert queue_state(queue(Status.HEALTHY, 1)) == (Status.HEALTHY, "Online")
    assert queue_state(queue(Status.HEALTHY, 1, 2)) == (Status.HEALTHY, "Busy")
    assert queue_state(queue(Status.WARNING, 1)) == (Status.WARNING, "Degraded")
    assert queue_state(queue(Status.UNHEALTHY, 1)) == (Status.UNHEALTHY, "Failing")
    assert queue_state(None) == (Status.INFO, "Unknown")
