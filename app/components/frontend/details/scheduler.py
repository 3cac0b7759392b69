"""Scheduler detail: the leader, the jobs with their schedules and next runs,
their run history, and (for administrators) pause, resume and trigger."""

from datetime import timedelta

import flet as ft
import structlog

from app.components.frontend import format
from app.components.frontend.context import DashboardContext
from app.components.frontend.theme import status_colour
from app.components.frontend.widgets import (
    Pager,
    detail_page,
    muted,
    overview,
    section,
    table,
    tagged,
)
from app.models.scheduler import ScheduledJob, SchedulerRun
from app.services.health.tree import Status
from app.services.scheduler.control import (
    SchedulerCommandError,
    SchedulerControl,
    SchedulerUnavailableError,
)
from app.services.scheduler.mirror import JobMirror
from app.services.scheduler.runs import SchedulerRuns

log = structlog.get_logger(__name__)

PAGE_SIZE = 25
STATISTICS_WINDOW = timedelta(hours=24)
_OUTCOME_COLOURS = {
    "succeeded": status_colour(Status.HEALTHY),
    "failed": status_colour(Status.UNHEALTHY),
    "running": status_colour(Status.INFO),
}


class SchedulerDetail:
    def __init__(self, context: DashboardContext) -> None:
        self.context = context
        database = context.resources.database
        self.mirror = JobMirror(database)
        self.runs = SchedulerRuns(database)
        self.control_channel = SchedulerControl(context.resources.redis)
        self.summary = ft.Column()
        self.jobs = ft.Column()
        self.history = ft.Column()
        self.pager = Pager("runs", self._load_runs, PAGE_SIZE)
        self.control = detail_page(
            self.summary,
            section("Jobs", self.jobs),
            section("Run history", self.pager.control, self.history),
        )

    async def refresh(self) -> None:
        component = (await self.context.report()).root.components.get("scheduler")
        statistics = await self.runs.statistics(STATISTICS_WINDOW)
        if component is not None:
            meta = component.metadata
            leader = meta.get("leader") or {}
            self.summary.controls = [
                overview(
                    component.status,
                    component.message,
                    ("Leader", leader.get("instance", "none")),
                    ("Heartbeat age", format.span(leader.get("heartbeat_age_s"))),
                    ("Standbys", str(meta.get("standbys", 0))),
                    ("Jobs", str(meta.get("total_jobs", 0))),
                    ("Paused", str(meta.get("paused_jobs", 0))),
                    ("Runs (24 h)", str(statistics["runs"])),
                    ("Failed (24 h)", str(statistics["failed"])),
                )
            ]
        jobs = await self.mirror.jobs()
        self.jobs.controls = [
            table(
                ["Job", "Kind", "Schedule", "Next run", "State", "Runs (24 h)", ""],
                [self._job_row(job, statistics["jobs"].get(job.id)) for job in jobs],
                identifier="scheduler-jobs",
            )
            if jobs
            else muted("No scheduled jobs.")
        ]
        await self._load_runs(self.pager.offset)

    def on_pulse(self) -> None:
        """Scheduler jobs are not job events: the 30 s refresh redraws them."""

    def _job_row(self, job: ScheduledJob, stats: dict | None) -> list[str | ft.Control]:
        state = "paused" if job.paused else "active"
        return [
            ft.Text(job.name, tooltip=job.description or job.id),
            job.kind,
            job.schedule,
            ft.Text(
                "-" if job.paused else format.relative(job.next_run_at),
                tooltip=format.timestamp(job.next_run_at),
            ),
            tagged(
                f"job-{job.id}-state",
                ft.Text(
                    state,
                    color=status_colour(
                        Status.WARNING if job.paused else Status.HEALTHY
                    ),
                ),
            ),
            str(stats["runs"]) if stats else "0",
            self._actions(job),
        ]

    def _actions(self, job: ScheduledJob) -> ft.Control:
        if not self.context.user.is_admin:
            return ft.Text("")
        toggle = "resume" if job.paused else "pause"
        return ft.Row(
            [
                tagged(
                    f"job-{job.id}-{toggle}",
                    ft.IconButton(
                        ft.Icons.PLAY_ARROW if job.paused else ft.Icons.PAUSE,
                        tooltip=toggle.capitalize(),
                        on_click=self._command(toggle, job),
                    ),
                ),
                tagged(
                    f"job-{job.id}-trigger",
                    ft.IconButton(
                        ft.Icons.BOLT,
                        tooltip="Run now",
                        on_click=self._command("trigger", job),
                    ),
                ),
            ],
            spacing=0,
        )

    def _command(self, action: str, job: ScheduledJob):
        async def send(_: ft.Event) -> None:
            admin = await self.context.admin()
            if admin is None:
                return
            try:
                await self.control_channel.send(action, job.id, by=admin.email)
            except (SchedulerUnavailableError, SchedulerCommandError) as refused:
                self.context.notify(f"{job.name}: {refused}", error=True)
                return
            log.info("scheduler command from the dashboard", action=action, job=job.id)
            await self.refresh()
            done = {"pause": "paused", "resume": "resumed", "trigger": "triggered"}
            self.context.notify(f"{job.name} {done[action]}")

        return send

    async def _load_runs(self, offset: int) -> None:
        page = await self.runs.page(offset=offset, limit=PAGE_SIZE)
        self.pager.show(offset, len(page.items), page.total)
        self.history.controls = [
            table(
                ["Job", "Scheduled", "Trigger", "Started", "Took", "Outcome", "Error"],
                [run_row(run) for run in page.items],
                identifier="scheduler-runs",
            )
            if page.items
            else muted("No runs yet.")
        ]


def run_row(run: SchedulerRun) -> list[str | ft.Control]:
    took = (
        (run.finished_at - run.started_at).total_seconds() * 1000
        if run.finished_at and run.started_at
        else None
    )
    return [
        run.job_id,
        format.timestamp(run.scheduled_for),
        run.trigger,
        format.timestamp(run.started_at),
        format.duration_ms(took),
        ft.Text(run.outcome, color=_OUTCOME_COLOURS.get(run.outcome)),
        ft.Text(
            (run.error or "").splitlines()[0] if run.error else "",
            max_lines=1,
            overflow=ft.TextOverflow.ELLIPSIS,
            width=240,
            tooltip=run.error,
        ),
    ]
