"""What the command line loads, and which command lines skip Typer.

Every command imports every command module (app.cli.main): what a command does
not use, its process should not load. The stack's processes start from
app.cli.launch without Typer.
"""

import json

import pytest

from app.cli.launch import process_for, run_scheduler, run_webserver
from tests.utils.processes import python_output

HEAVY_PACKAGES = {
    "alembic",
    "httpx",
    "sqlalchemy",
    "sqlmodel",
    "redis",
    "arq",
    "psycopg",
    "apscheduler",
    "fastapi",
    "flet",
    "uvicorn",
    "pwdlib",
    "argon2",
    "psutil",
    "prometheus_client",
}

# What a worker runs on: its queue (arq, Redis) and the job history (asyncpg).
WORKER_PACKAGES = {"arq", "redis"}
# The scheduler: APScheduler, and the queues it enqueues on; its tables and
# its job store are plain SQL on asyncpg.
SCHEDULER_PACKAGES = {"apscheduler", "arq", "redis"}


def imported_packages(module: str, before: str = "") -> set[str]:
    """The top-level packages a fresh interpreter (this test process has
    imported half the app already) loads with `module`, after `before` ran."""
    code = (
        f"{before}\nimport json, sys, {module}; "
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules "
        "if sys.modules[name] is not None})))"
    )
    return set(json.loads(python_output(code)))


def test_importing_the_cli_loads_no_heavy_package() -> None:
    assert imported_packages("app.cli.main") & HEAVY_PACKAGES == set()


def test_a_worker_loads_neither_sqlalchemy_nor_the_webserver_nor_typer() -> None:
    """SQLAlchemy is 16 MiB of each worker's memory (the history is plain SQL),
    and the processes start without the command framework."""
    imported = imported_packages("app.cli.launch, app.entrypoints.worker")
    assert imported & HEAVY_PACKAGES == WORKER_PACKAGES
    assert "typer" not in imported


def test_worker_and_scheduler_read_their_settings_without_pydantic() -> None:
    """pydantic is 10 MiB and 75 ms of a process's start (bench.processes);
    only the webserver validates with it."""
    for entrypoint in ("worker", "scheduler"):
        imported = imported_packages(f"app.cli.launch, app.entrypoints.{entrypoint}")
        assert "pydantic" not in imported and "pydantic_core" not in imported


@pytest.mark.parametrize("entrypoint", ["worker", "scheduler", "webserver"])
def test_a_service_process_leaves_out_rich(entrypoint: str) -> None:
    started = "from app.cli.launch import leave_out_rich\nleave_out_rich()"
    loaded = imported_packages(f"app.entrypoints.{entrypoint}", before=started)
    assert "rich" not in loaded
    assert "rich" in imported_packages(f"app.entrypoints.{entrypoint}")


@pytest.mark.parametrize("json_lines", [True, False])
def test_without_rich_a_logged_exception_still_has_its_traceback(
    json_lines: bool,
) -> None:
    code = (
        "from app.cli.launch import leave_out_rich\n"
        "leave_out_rich()\n"
        "import structlog\n"
        "from app.core.log import configure_logging\n"
        f"configure_logging(json={json_lines})\n"
        "try:\n"
        "    1 / 0\n"
        "except ZeroDivisionError:\n"
        "    structlog.get_logger().exception('it failed')\n"
    )
    printed = python_output(code)
    assert "it failed" in printed
    assert "ZeroDivisionError: division by zero" in printed
    assert "Traceback (most recent call last)" in printed


def test_the_scheduler_loads_neither_sqlalchemy_nor_psycopg_nor_typer() -> None:
    """Together 26 MiB and 0.3 s of its start (bench.processes)."""
    imported = imported_packages("app.cli.launch, app.entrypoints.scheduler")
    assert imported & HEAVY_PACKAGES == SCHEDULER_PACKAGES
    assert "typer" not in imported


@pytest.mark.parametrize(
    ("arguments", "started"),
    [
        (["webserver"], run_webserver),
        (["scheduler"], run_scheduler),
        (["worker", "--help"], None),
        (["scheduler", "list"], None),
        (["webserver", "--help"], None),
        (["--help"], None),
        ([], None),
    ],
)
def test_only_the_plain_process_command_lines_skip_typer(
    arguments: list[str], started: object
) -> None:
    assert process_for(arguments) is started


def test_a_worker_command_line_starts_its_queue_without_typer() -> None:
    assert process_for(["worker", "homer"]) is not None
