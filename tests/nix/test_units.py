"""nix/units.nix: evaluated by Nix, checked by systemd-analyze, true to the table.

The same file reaches NixOS; what passes here is what a host runs.
"""

import json
import re
import subprocess
from pathlib import Path

import pytest

from app.core.topology import load_topology
from tests.utils.programs import need
from tests.utils.systemd import REPO, evaluate_units, write_units

# The arguments nix/module.nix passes on a host that runs everything locally.
HOST = """{
  package = "%(package)s";
  environment = {
    APP_ENV = "prod";
    DATABASE_URL = "postgresql://sector-7g@/sector-7g?host=/run/postgresql";
    REDIS_URL = "unix:///run/redis-sector-7g/redis.sock?db=0";
    BACKUP_DIR = "/var/lib/sector-7g/backups";
  };
  credentials = { secret_key = "/run/keys/sector-7g/secret_key"; };
  dependencies = [ "postgresql.target" "redis-sector-7g.service" ];
  supplementaryGroups = [ "redis-sector-7g" ];
  path = [ "%(package)s" ];
}"""
MAX_EXPOSURE = 2.5


@pytest.fixture(autouse=True, scope="module")
def tools() -> None:
    need("nix-instantiate", "systemd-analyze")


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stand-in for the app's store path: systemd checks ExecStart exists."""
    root = tmp_path_factory.mktemp("package")
    (root / "bin").mkdir()
    program = root / "bin" / "sector-7g"
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    return root


@pytest.fixture(scope="module")
def units(package: Path) -> dict:
    return evaluate_units(HOST % {"package": package})


@pytest.fixture(scope="module")
def unit_dir(units: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("units")
    write_units(units, directory)
    # What the NixOS modules of PostgreSQL and Redis provide on a real host.
    (directory / "postgresql.target").write_text("[Unit]\nDescription=PostgreSQL\n")
    (directory / "redis-sector-7g.service").write_text(
        "[Unit]\nDescription=Redis\n[Service]\nExecStart=/bin/true\n"
    )
    return directory


def test_every_nix_file_parses() -> None:
    files = sorted(REPO.glob("*.nix")) + sorted(REPO.glob("nix/**/*.nix"))
    assert len(files) >= 2
    for path in files:
        result = subprocess.run(
            ["nix-instantiate", "--parse", str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, f"{path.name}: {result.stderr}"


def test_the_units_are_exactly_the_processes_of_the_table(units: dict) -> None:
    topology = load_topology()
    expected = {"sector-7g-migrate", "sector-7g-webserver", "sector-7g-scheduler"}
    expected |= {
        f"sector-7g-{queue.service_name}" for queue in topology.queues.values()
    }
    assert set(units["services"]) == expected
    assert set(units["targets"]) == {"sector-7g"}


def test_limits_and_commands_come_from_the_table(units: dict) -> None:
    topology = load_topology()
    services = units["services"]
    for queue in topology.queues.values():
        config = services[f"sector-7g-{queue.service_name}"]["serviceConfig"]
        assert config["ExecStart"].endswith(f"/bin/sector-7g worker {queue.name}")
        assert config["MemoryMax"] == f"{queue.memory_max_mib}M"
        assert config["CPUQuota"] == f"{queue.cpu_quota_percent}%"
        assert config["TimeoutStopSec"] > queue.shutdown_grace_s
    for role in ("webserver", "scheduler"):
        budget = getattr(topology, role)
        config = services[f"sector-7g-{role}"]["serviceConfig"]
        assert config["MemoryMax"] == f"{budget.memory_max_mib}M"
        assert config["CPUQuota"] == f"{budget.cpu_quota_percent}%"


def test_ordering_secrets_and_the_target(units: dict) -> None:
    services = units["services"]
    migrate = services["sector-7g-migrate"]
    assert migrate["serviceConfig"]["Type"] == "oneshot"
    assert migrate["requires"] == ["postgresql.target", "redis-sector-7g.service"]
    for name, unit in services.items():
        assert unit["partOf"] == ["sector-7g.target"], name
        assert unit["wantedBy"] == ["sector-7g.target"], name
        assert unit["serviceConfig"]["LoadCredential"] == [
            "secret_key:/run/keys/sector-7g/secret_key"
        ]
        assert "SECRET_KEY" not in unit["environment"], name
        if name != "sector-7g-migrate":
            assert "sector-7g-migrate.service" in unit["requires"], name
            assert unit["serviceConfig"]["RestartPreventExitStatus"] == 78
    assert units["targets"]["sector-7g"]["wantedBy"] == ["multi-user.target"]


def test_a_workers_only_host_runs_no_migration_and_tunes_its_queues(
    package: Path,
) -> None:
    units = evaluate_units(
        f"""{{
          package = "{package}";
          webserver = false;
          scheduler = false;
          migrate = false;
          workers = {{ homer = {{ maxJobs = 5; }}; grimey = {{ enable = false; }}; }};
        }}"""
    )
    services = units["services"]
    assert "sector-7g-webserver" not in services
    assert "sector-7g-migrate" not in services
    assert "sector-7g-worker-grimey" not in services
    homer = services["sector-7g-worker-homer"]
    assert homer["environment"]["WORKER_HOMER_MAX_JOBS"] == "5"
    assert (
        "WORKER_LENNY_MAX_JOBS" not in services["sector-7g-worker-lenny"]["environment"]
    )
    assert homer["requires"] == []


def test_systemd_analyze_verify_finds_nothing(unit_dir: Path) -> None:
    """`verify` exits 0 even on typos: any output on stderr is a failure."""
    files = sorted(str(path) for path in unit_dir.glob("sector-7g*"))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *files],
        capture_output=True,
        text=True,
        env={"SYSTEMD_UNIT_PATH": f"{unit_dir}:", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_every_app_unit_is_hardened_to_an_exposure_of_2_5_or_less(
    unit_dir: Path,
) -> None:
    scores = {}
    for path in sorted(unit_dir.glob("sector-7g-*.service")):
        result = subprocess.run(
            ["systemd-analyze", "security", "--offline=true", str(path)],
            capture_output=True,
            text=True,
        )
        found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
        assert found, result.stdout + result.stderr
        scores[path.stem] = float(found.group(1))
    assert len(scores) == 9
    assert max(scores.values()) <= MAX_EXPOSURE, scores


def test_the_lock_pins_exactly_the_documented_inputs() -> None:
    lock = json.loads((REPO / "flake.lock").read_text())
    pinned = {
        name: (node["locked"]["rev"], node["locked"]["narHash"])
        for name, node in lock["nodes"].items()
        if name != "root"
    }
    assert pinned == {
        "nixpkgs": (
            "d407951447dcd00442e97087bf374aad70c04cea",
            "sha256-8i/87eeoqiGE4yOTjwSA3Eh/ziJRQEmd/unYU+K27sk=",
        ),
        "pyproject-nix": (
            "7af23cfe91064865ecf2e835da28b45b3c6f49fd",
            "sha256-SvXJcAemihifkTn4BGvyE5K1FJX9bl4U8DQ5pqKvD0s=",
        ),
        "uv2nix": (
            "49dac8d206c42175b069b7c6050ba27060a21106",
            "sha256-uPeuFNSYO429IEiud3iJKWIpN/xrH2CANj1uYNiDxqc=",
        ),
        "pyproject-build-systems": (
            "62c0d86027edb1c4f39a5facc09876348144f7c9",
            "sha256-8AM37BfyGaL2v/SZyg4PupRxJ01Y4htvM+WrTjWrPpo=",
        ),
    }
