"""docker-compose.yml: generated from the table, valid for Compose, and the
same deployment as the systemd units of nix/units.nix."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from app.core.topology import load_topology, parse_topology
from app.deploy.compose import render
from tests.utils.processes import SECTOR_7G
from tests.utils.programs import need
from tests.utils.systemd import REPO, evaluate_units

COMPOSE_FILE = REPO / "docker-compose.yml"
APP_SERVICES = {"migrate", "webserver", "scheduler"} | {
    queue.service_name for queue in load_topology().queues.values()
}
# What nix/module.nix passes nix/units.nix on a host whose PostgreSQL and Redis
# need passwords and that runs Traefik: the environment and the credentials.
UNITS_HOST = """{
  package = "/app";
  environment = {
    APP_ENV = "prod";
    DATABASE_URL = "postgresql://sector-7g@localhost/sector-7g";
    REDIS_URL = "redis://localhost:6379/0";
    TRAEFIK_API_URL = "http://127.0.0.1:8080";
    BACKUP_DIR = "/var/lib/sector-7g/backups";
  };
  credentials = {
    secret_key = "/run/keys/secret_key";
    database_password = "/run/keys/database_password";
    redis_password = "/run/keys/redis_password";
  };
  dependencies = [ "postgresql.target" "redis-sector-7g.service" ];
}"""


def _compose(*args: str) -> subprocess.CompletedProcess[str]:
    need("docker")
    version = subprocess.run(
        ["docker", "compose", "version"], capture_output=True, text=True
    )
    if version.returncode != 0:
        need("docker-compose-v2-plugin")  # skips, or fails under SECTOR7G_STRICT
    return subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "--profile", "*", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_committed_file_is_the_tables(tmp_path: Path) -> None:
    result = subprocess.run(
        [SECTOR_7G, "deploy", "compose", "--check", "--output", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("WORKER_")},
    )
    assert result.returncode == 0, result.stderr
    stale = tmp_path / "docker-compose.yml"
    stale.write_text(COMPOSE_FILE.read_text().replace("256M", "257M", 1))
    result = subprocess.run(
        [SECTOR_7G, "deploy", "compose", "--check", "--output", str(stale)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "stale" in result.stderr


def test_a_change_to_the_table_changes_the_file() -> None:
    table = (REPO / "app" / "topology.toml").read_text()
    changed = table.replace(
        'description = "Homer: CPU-bound, low concurrency, fails often"\nmax_jobs = 3',
        'description = "Homer: CPU-bound, low concurrency, fails often"\nmax_jobs = 3',
    ).replace("memory_max_mib = 512", "memory_max_mib = 768", 1)
    assert changed != table
    assert render(parse_topology(changed)) != COMPOSE_FILE.read_text()


def test_compose_itself_accepts_every_profile() -> None:
    result = _compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_the_file_follows_the_compose_specification() -> None:
    result = subprocess.run(
        [
            "check-jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE_FILE),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def compose_model() -> dict:
    result = _compose("config", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def units() -> dict:
    need("nix-instantiate")
    return evaluate_units(UNITS_HOST)["services"]


def test_compose_runs_the_processes_the_units_run(compose_model, units) -> None:
    app = {
        name: service
        for name, service in compose_model["services"].items()
        if name in APP_SERVICES
    }
    assert {f"sector-7g-{name}" for name in app} == set(units)
    for name, service in app.items():
        unit = units[f"sector-7g-{name}"]["serviceConfig"]
        program, _, command = unit["ExecStart"].partition(" ")
        assert program == "/app/bin/sector-7g", name
        # The image's entrypoint is the same program.
        assert service["command"] == command.split(), name
        assert service.get("deploy", {}).get("replicas", 1) == 1, name


def test_compose_gives_the_same_environment_and_secrets(compose_model, units) -> None:
    for name in APP_SERVICES:
        service = compose_model["services"][name]
        unit = units[f"sector-7g-{name}"]
        # CREDENTIALS_DIRECTORY is systemd's own doing under NixOS.
        keys = set(service["environment"]) - {"CREDENTIALS_DIRECTORY"}
        assert keys == set(unit["environment"]), name
        assert not any(key.startswith("WORKER_") for key in keys)  # the table rules
        credentials = {c.split(":")[0] for c in unit["serviceConfig"]["LoadCredential"]}
        assert {s["source"] for s in service["secrets"]} == credentials, name


def test_compose_sets_the_same_limits_and_stop_timeouts(compose_model, units) -> None:
    for name in APP_SERVICES:
        service = compose_model["services"][name]
        unit = units[f"sector-7g-{name}"]["serviceConfig"]
        limits = service["deploy"]["resources"]["limits"]
        assert int(limits["memory"]) == _mebibytes(unit["MemoryMax"]) * 2**20, name
        assert float(limits["cpus"]) * 100 == float(unit["CPUQuota"].rstrip("%"))
        assert _seconds(service["stop_grace_period"]) == unit["TimeoutStopSec"], name


def _mebibytes(value: str) -> int:
    assert value.endswith("M"), value
    return int(value[:-1])


def _seconds(duration: str) -> int:
    """A Go duration as Compose writes it ("1m15s") in seconds."""
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert parts is not None, duration
    hours, minutes, seconds = (int(part or 0) for part in parts.groups())
    return hours * 3600 + minutes * 60 + seconds
