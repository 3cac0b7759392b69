"""Worker detail: live counters, the queues with rate and ETA, the task history,
and (in a dialog) the lifecycle of one job."""

import json
from datetime import datetime

import flet as ft

from app.components.frontend import format
from app.components.frontend.context import DashboardContext
from app.components.frontend.queues import DETAIL_COLUMNS, QueueTable
from app.components.frontend.theme import status_colour
from app.components.frontend.widgets import (
    Pager,
    detail_page,
    muted,
    section,
    table,
    tagged,
)
from app.models.task_history import TaskRun
from app.models.task_status import TaskStatus
from app.services.health.tree import Status

PAGE_SIZE = 25
ALL = "all"
TOTALS = (("queued", "Queued"), ("running", "Active"), ("completed", "Done"))
TOTALS += (("failed", "Failed"),)
_RUN_COLOURS = {
    TaskStatus.COMPLETED: status_colour(Status.HEALTHY),
    TaskStatus.FAILED: status_colour(Status.UNHEALTHY),
    TaskStatus.RETRYING: status_colour(Status.WARNING),
    TaskStatus.CANCELLED: status_colour(Status.WARNING),
}


class WorkerDetail:
    def __init__(self, context: DashboardContext) -> None:
        self.context = context
        self.queue_table = QueueTable(context.pulse, DETAIL_COLUMNS, prefix="queues")
        self.totals = {key: ft.Text("-", size=20) for key, _ in TOTALS}
        self.heading = ft.Row(spacing=8)
        self.queue_filter = ft.Dropdown(
            label="Queue", value=ALL, width=180, on_select=self._filter
        )
        self.status_filter = ft.Dropdown(
            label="Status",
            value=ALL,
            width=180,
            options=options(
                "history-status", (ALL, *(status.value for status in TaskStatus))
            ),
            on_select=self._filter,
        )
        self.pager = Pager("history", self._move, PAGE_SIZE)
        self.history = ft.Column()
        # The newest job of the first page: later pages stay within it.
        self.until: datetime | None = None
        self.control = detail_page(
            section(
                "Live counters",
                self.heading,
                ft.Row(
                    [
                        tagged(
                            f"worker-total-{key}",
                            ft.Column([muted(label), self.totals[key]], spacing=2),
                        )
                        for key, label in TOTALS
                    ],
                    spacing=28,
                ),
            ),
            section(
                "Queues",
                ft.Row([self.queue_table.control], scroll=ft.ScrollMode.AUTO),
            ),
            section(
                "Task history",
                ft.Row(
                    [
                        tagged("history-queue", self.queue_filter),
                        tagged("history-status", self.status_filter),
                        ft.IconButton(
                            ft.Icons.REFRESH,
                            tooltip="Refresh",
                            on_click=self._reload,
                        ),
                        self.pager.control,
                    ],
                    spacing=12,
                    wrap=True,
                ),
                self.history,
            ),
        )

    async def refresh(self) -> None:
        worker = (await self.context.report()).root.components.get("worker")
        self.queue_table.set_health(worker)
        if worker is not None:
            self.heading.controls = [
                ft.Container(
                    width=12,
                    height=12,
                    border_radius=6,
                    bgcolor=status_colour(worker.status),
                ),
                ft.Text(f"{worker.status}: {worker.message}"),
            ]
            self.queue_filter.options = options(
                "history-queue", (ALL, *worker.components)
            )
        self.on_pulse()
        await self._load(self.pager.offset)

    def on_pulse(self) -> None:
        self.queue_table.on_pulse()
        counts = self.context.pulse.counts
        for key, text in self.totals.items():
            text.value = (
                str(sum(getattr(count, key) for count in counts.values()))
                if counts
                else "-"
            )

    async def _filter(self, _: ft.Event) -> None:
        await self._load(0)

    async def _reload(self, _: ft.Event) -> None:
        await self._load(0)

    async def _move(self, offset: int) -> None:
        await self._load(offset)

    async def _load(self, offset: int) -> None:
        queue = self.queue_filter.value
        status = self.status_filter.value
        if offset == 0:
            self.until = None
        page = await self.context.resources.tasks.history.page(
            queue=None if queue in (None, ALL) else queue,
            statuses=() if status in (None, ALL) else (TaskStatus(status),),
            offset=offset,
            limit=PAGE_SIZE,
            enqueued_until=self.until,
        )
        if offset == 0 and page.items:
            self.until = page.items[0].enqueued_at
        self.pager.show(offset, len(page.items), page.total)
        self.history.controls = [
            table(
                ["Task", "Queue", "Status", "Enqueued", "Duration", "Tries", "Error"],
                [self._row(run) for run in page.items],
                identifier="history-table",
            )
            if page.items
            else muted("No jobs match.")
        ]

    def _row(self, run: TaskRun) -> list[str | ft.Control]:
        async def show(_: ft.Event) -> None:
            await self._show_lifecycle(run.id)

        return [
            tagged(
                f"job-{run.id}",
                ft.TextButton(run.task, on_click=show, tooltip="Show its lifecycle"),
            ),
            run.queue,
            ft.Text(run.status, color=_RUN_COLOURS.get(TaskStatus(run.status))),
            format.relative(run.enqueued_at),
            format.duration_ms(run.duration_ms),
            str(run.attempts),
            ft.Text(
                first_line(run.error),
                max_lines=1,
                overflow=ft.TextOverflow.ELLIPSIS,
                width=260,
                tooltip=run.error,
            ),
        ]

    async def _show_lifecycle(self, job_id: str) -> None:
        run = await self.context.resources.tasks.history.get(job_id)
        steps = lifecycle(run) if run else [muted(f"Job {job_id} is gone.")]
        self.context.show_dialog(
            "Job lifecycle",
            tagged(
                "job-lifecycle", ft.Column(steps, tight=True, scroll=ft.ScrollMode.AUTO)
            ),
        )


def lifecycle(run: TaskRun) -> list[ft.Control]:
    """A job's steps, from enqueued to its outcome, with the error if it failed."""
    outcome = run.status.capitalize()
    steps = [("Enqueued", run.enqueued_at, f"by {run.source}", Status.INFO)]
    if run.started_at is not None:
        steps.append(
            ("Started", run.started_at, f"attempt {run.attempts}", Status.INFO)
        )
    finished = TaskStatus(run.status).is_final
    colour = _RUN_COLOURS.get(TaskStatus(run.status))
    steps.append(
        (
            outcome,
            run.finished_at,
            f"after {format.duration_ms(run.duration_ms)}" if finished else "so far",
            Status.HEALTHY if run.status == TaskStatus.COMPLETED else Status.WARNING,
        )
    )
    controls: list[ft.Control] = [
        ft.Text(f"{run.task} on {run.queue}", weight=ft.FontWeight.W_600),
        muted(f"job {run.id}"),
    ]
    for name, at, note, status in steps:
        controls.append(
            ft.Row(
                [
                    ft.Container(
                        width=10,
                        height=10,
                        border_radius=5,
                        bgcolor=colour if name == outcome else status_colour(status),
                    ),
                    ft.Text(name, width=90, weight=ft.FontWeight.W_600),
                    ft.Text(format.timestamp(at), width=90),
                    muted(note),
                ],
                spacing=10,
            )
        )
    controls.append(muted(f"arguments {json.dumps(run.kwargs, default=str)[:300]}"))
    if run.error:
        controls.append(
            ft.Text(
                run.error,
                color=status_colour(Status.UNHEALTHY),
                font_family="monospace",
            )
        )
    elif run.result is not None:
        controls.append(muted(f"result {json.dumps(run.result, default=str)[:300]}"))
    return controls


def options(prefix: str, values: tuple[str, ...]) -> list[ft.DropdownOption]:
    """A dropdown's choices, each findable as `<prefix>-<value>`."""
    return [
        ft.DropdownOption(
            key=value, content=tagged(f"{prefix}-{value}", ft.Text(value))
        )
        for value in values
    ]


def first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if text and text.strip() else ""
