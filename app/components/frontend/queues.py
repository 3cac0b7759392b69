"""The per-queue table, kept live: its cells change in place as the pulse beats."""

from dataclasses import dataclass

import flet as ft

from app.components.frontend import format
from app.components.frontend.pulse import PlantPulse, eta_s
from app.components.frontend.theme import status_colour
from app.components.frontend.widgets import tagged
from app.services.health.tree import Component, Status
from app.services.tasks.workers import QueueCounts


@dataclass(frozen=True)
class Column:
    key: str
    label: str


QUEUED = Column("queued", "Queued")
ACTIVE = Column("running", "Active")
DONE = Column("completed", "Done")
FAILED = Column("failed", "Failed")
SUCCESS = Column("success", "Success")
RATE = Column("rate", "Jobs/s")
ETA = Column("eta", "ETA")

CARD_COLUMNS = (QUEUED, ACTIVE, DONE, FAILED)
DETAIL_COLUMNS = (QUEUED, ACTIVE, DONE, FAILED, SUCCESS, RATE, ETA)


def queue_state(component: Component | None) -> tuple[Status, str]:
    """A queue's status and its word for it: Online, Busy, Offline, Degraded..."""
    if component is None:
        return Status.INFO, "Unknown"
    meta = component.metadata
    if not meta.get("workers_alive"):
        return component.status, "Offline"
    if component.status == Status.UNHEALTHY:
        return component.status, "Failing"
    if component.status == Status.WARNING:
        return component.status, "Degraded"
    return component.status, "Busy" if meta.get("running") else "Online"


def counts_from_health(component: Component | None) -> QueueCounts:
    """A queue's counts as the last health check saw them."""
    meta = component.metadata if component is not None else {}
    return QueueCounts(
        queued=meta.get("queued", 0),
        running=meta.get("running", 0),
        completed=meta.get("completed", 0),
        failed=meta.get("failed", 0),
        retried=meta.get("retried", 0),
        cancelled=meta.get("cancelled", 0),
    )


def cell_text(column: Column, counts: QueueCounts, rate: float | None) -> str:
    match column.key:
        case "success":
            finished = counts.completed + counts.failed
            return format.percent(
                100 * counts.completed / finished if finished else None
            )
        case "rate":
            return "-" if rate is None else f"{rate:.2f}"
        case "eta":
            return format.eta(eta_s(counts.queued, rate))
        case key:
            return str(getattr(counts, key))


class QueueTable:
    """One row per queue; cell `<prefix>-<queue>-<column>` is findable by tests."""

    def __init__(
        self, pulse: PlantPulse, columns: tuple[Column, ...], *, prefix: str
    ) -> None:
        self.pulse = pulse
        self.columns = columns
        self.prefix = prefix
        self.health: dict[str, Component] = {}
        self._cells: dict[tuple[str, str], ft.Text] = {}
        self._states: dict[str, tuple[ft.Container, ft.Text]] = {}
        self.table = ft.DataTable(
            columns=[
                ft.DataColumn(label=ft.Text("Queue")),
                *(
                    ft.DataColumn(label=ft.Text(column.label), numeric=True)
                    for column in columns
                ),
                ft.DataColumn(label=ft.Text("Status")),
            ],
            heading_row_height=32,
            data_row_min_height=30,
            data_row_max_height=34,
            column_spacing=16,
            horizontal_margin=8,
        )
        self.control = tagged(f"{prefix}-table", self.table)

    def set_health(self, worker: Component | None) -> None:
        """Rebuild the rows for the queues the health tree lists."""
        self.health = dict(worker.components) if worker is not None else {}
        self._cells.clear()
        self._states.clear()
        rows = []
        for queue in self.health:
            cells = [ft.DataCell(ft.Text(queue, weight=ft.FontWeight.W_600))]
            for column in self.columns:
                text = ft.Text("-")
                self._cells[queue, column.key] = text
                cells.append(
                    ft.DataCell(tagged(f"{self.prefix}-{queue}-{column.key}", text))
                )
            dot = ft.Container(width=10, height=10, border_radius=5)
            label = ft.Text("")
            self._states[queue] = dot, label
            cells.append(ft.DataCell(ft.Row([dot, label], spacing=6)))
            rows.append(ft.DataRow(cells=cells))
        self.table.rows = rows
        self.on_pulse()

    def on_pulse(self) -> None:
        for queue, component in self.health.items():
            counts = self.pulse.counts.get(queue) or counts_from_health(component)
            rate = self.pulse.rate(queue)
            for column in self.columns:
                self._cells[queue, column.key].value = cell_text(column, counts, rate)
            status, word = queue_state(component)
            dot, label = self._states[queue]
            dot.bgcolor = status_colour(status)
            label.value = word
