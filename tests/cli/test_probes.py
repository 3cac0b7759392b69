"""`sector-7g health probe`: a container's healthcheck of its own process."""

from pathlib import Path

from app.core.config import Settings
from tests.cli.test_commands import run
from tests.utils.processes import running_worker, start_scheduler


def test_a_process_is_alive_when_it_beats_from_this_host(
    cli_env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    assert run(cli_env, "health", "probe", "worker", "lenny").returncode == 1
    assert run(cli_env, "health", "probe", "scheduler").returncode == 1
    with running_worker(settings, "lenny", tmp_path):
        assert run(cli_env, "health", "probe", "worker", "lenny").returncode == 0
        assert run(cli_env, "health", "probe", "worker", "carl").returncode == 1
    scheduler = start_scheduler(settings, tmp_path, "scheduler")
    try:
        assert run(cli_env, "health", "probe", "scheduler").returncode == 0
    finally:
        scheduler.stop()


def test_a_webserver_that_does_not_answer_is_not_alive(
    cli_env: dict[str, str],
) -> None:
    assert run({**cli_env, "PORT": "9"}, "health", "probe", "webserver").returncode == 1


def test_a_probe_needs_a_known_role_and_a_queue_only_for_workers(
    cli_env: dict[str, str],
) -> None:
    for args in (["dancer"], ["worker"], ["scheduler", "homer"]):
        result = run(cli_env, "health", "probe", *args)
        assert result.returncode == 2, args
