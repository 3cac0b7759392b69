"""`sector-7g` as users run it: real processes, real servers."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from app.core.config import DEFAULT_SECRET_KEY
from app.core.security import verify_password
from app.devstack.servers import free_port
from tests.utils.processes import SECTOR_7G


def run(env: dict[str, str], *args: str, stdin: str | None = None):
    return subprocess.run(
        [SECTOR_7G, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_works_with_no_server_anywhere() -> None:
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": "postgresql://x@127.0.0.1:1/x"}
    result = run(env, "--help")
    assert result.returncode == 0
    for command in ("webserver", "db", "auth", "config"):
        assert command in result.stdout


@pytest.mark.parametrize("secret", [None, DEFAULT_SECRET_KEY])
def test_webserver_refuses_prod_without_a_real_secret_key(cli_env, secret) -> None:
    env = {**cli_env, "APP_ENV": "prod"}
    env.pop("SECRET_KEY")
    if secret is not None:
        env["SECRET_KEY"] = secret
    result = run(env, "webserver")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 78
    assert len(lines) == 1 and "SECRET_KEY" in lines[0]
    assert DEFAULT_SECRET_KEY not in result.stderr


def test_create_user_from_a_password_file_then_list(cli_env, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("excellent-smithers\n")
    created = run(
        cli_env,
        "auth", "create-user", "burns@springfield-nuclear.com", "--admin",
        "--password-file", str(tmp_path / "pw"), "--full-name", "C. M. Burns",
    )  # fmt: skip
    listed = run(cli_env, "auth", "list-users")
    assert created.returncode == 0, created.stderr
    assert "administrator burns@springfield-nuclear.com" in created.stdout
    assert "burns@springfield-nuclear.com" in listed.stdout
    assert "C. M. Burns" in listed.stdout


def test_create_user_reads_the_password_from_standard_input(cli_env, settings) -> None:
    """`-` reads the stream itself: a service's dynamic user cannot reopen
    root's pipe as /dev/stdin."""
    created = run(
        cli_env, "auth", "create-user", "lenny@springfield-nuclear.com",
        "--password-file", "-", stdin="lenny-leonard-7g\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    with psycopg.connect(settings.DATABASE_URL) as connection:
        row = connection.execute(
            'SELECT hashed_password FROM "user" WHERE email = %s',
            ("lenny@springfield-nuclear.com",),
        ).fetchone()
    assert row is not None and verify_password("lenny-leonard-7g", row[0])


def test_create_user_prompts_for_the_password(cli_env) -> None:
    result = run(
        cli_env, "auth", "create-user", "smithers@springfield-nuclear.com",
        stdin="loyal-assistant\nloyal-assistant\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_create_user_twice_fails_with_a_message(cli_env, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("password-1234")
    args = ("auth", "create-user", "carl@springfield-nuclear.com")
    first = run(cli_env, *args, "--password-file", str(tmp_path / "pw"))
    second = run(cli_env, *args, "--password-file", str(tmp_path / "pw"))
    assert first.returncode == 0
    assert second.returncode == 1
    assert "already exists" in second.stderr


def test_create_user_rejects_a_bad_email(cli_env, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("password-1234")
    result = run(
        cli_env, "auth", "create-user", "nope", "--password-file", str(tmp_path / "pw")
    )
    assert result.returncode == 1
    assert "email" in result.stderr


def test_db_status_and_migrate(cli_env, settings) -> None:
    from app.core.revisions import head

    status = run(cli_env, "db", "status")
    migrate = run(cli_env, "db", "migrate")
    check = run(cli_env, "db", "check")
    assert status.returncode == 0 and "up to date" in status.stdout
    assert migrate.returncode == 0 and f"at revision {head()}" in migrate.stdout
    assert check.returncode == 0


def test_db_commands_explain_an_unreachable_database(cli_env) -> None:
    env = {
        **cli_env,
        "DATABASE_URL": f"postgresql://u:pw-123@127.0.0.1:{free_port()}/x",
    }
    result = run(env, "db", "migrate")
    assert result.returncode == 1
    assert "cannot reach PostgreSQL" in result.stderr
    assert "pw-123" not in result.stderr


def test_webserver_serves_and_stops_on_sigterm(cli_env) -> None:
    port = free_port()
    env = {**cli_env, "PORT": str(port), "LOG_FORMAT": "json"}
    process = subprocess.Popen(
        [SECTOR_7G, "webserver"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        response = _get_when_up(f"http://127.0.0.1:{port}/health/ready")
        assert response.status_code == 200
        assert response.headers["x-request-id"]
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    # uvicorn shuts down, then re-raises the signal so the parent sees it.
    assert process.returncode in (0, -signal.SIGTERM)
    lines = [json.loads(line) for line in output.splitlines()]
    events = {line["event"] for line in lines}
    assert "Application shutdown complete." in events
    requests = [line for line in lines if line["event"] == "request"]
    assert requests and {line["path"] for line in requests} == {"/health/ready"}
    assert requests[-1]["request_id"] == response.headers["x-request-id"]


def _get_when_up(url: str, timeout_s: float = 20.0) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_config_show_masks_secrets(cli_env) -> None:
    result = run({**cli_env, "REDIS_PASSWORD": "hunter2-redis"}, "config", "show")
    assert result.returncode == 0
    assert "hunter2-redis" not in result.stdout
    assert cli_env["SECRET_KEY"] not in result.stdout


def test_readme_settings_table_matches_the_settings() -> None:
    from app.cli.config import settings_markdown

    readme = Path(__file__).parents[2].joinpath("README.md").read_text()
    assert settings_markdown() in readme, "run `sector-7g config show --markdown`"


def test_create_user_names_an_unreadable_password_file(cli_env) -> None:
    result = run(
        cli_env, "auth", "create-user", "x@springfield.com", "--password-file", "/nope"
    )
    assert result.returncode == 1
    assert "--password-file: cannot read /nope" in result.stderr


def test_topology_show_as_json_applies_overrides(cli_env) -> None:
    result = run(
        {**cli_env, "WORKER_HOMER_MAX_JOBS": "4"}, "topology", "show", "--json"
    )
    table = json.loads(result.stdout)
    assert result.returncode == 0
    assert table["queues"]["homer"]["max_jobs"] == 4
    assert table["webserver"]["port"] == 8000


def test_tasks_enqueue_then_status(cli_env) -> None:
    enqueued = run(cli_env, "tasks", "enqueue", "homer_sim_task", "--arg", "activity=x")
    assert enqueued.returncode == 1 and "activity" in enqueued.stderr
    enqueued = run(cli_env, "tasks", "enqueue", "check_cooling_tower_task")
    job_id = enqueued.stdout.strip()
    status = run(cli_env, "tasks", "status", job_id)
    assert enqueued.returncode == 0, enqueued.stderr
    job = json.loads(status.stdout)
    assert (job["queue"], job["status"], job["source"]) == ("lenny", "enqueued", "cli")


def test_tasks_list_names_every_queue(cli_env) -> None:
    listing = run(cli_env, "tasks", "list").stdout
    for queue in ("inanimate_rod", "homer", "lenny", "carl", "charlie", "grimey"):
        assert queue in listing


def test_worker_refuses_an_unknown_queue(cli_env) -> None:
    result = run(cli_env, "worker", "moe")
    assert result.returncode == 1
    assert "unknown queue 'moe'" in result.stderr
