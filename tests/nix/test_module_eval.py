"""nix/module.nix under nixpkgs' module system, and uv2nix on this repository.

These need the pinned nixpkgs.lib, pyproject.nix and uv2nix sources, which
are never committed: point SECTOR7G_NIX_SOURCES at a directory holding them as
nixpkgs-lib/, pyproject-nix/ and uv2nix/. Without it (as in CI) the tests
skip; the pure units are checked in test_units.py either way.
"""

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.utils.systemd import REPO

SOURCES = os.environ.get("SECTOR7G_NIX_SOURCES")
pytestmark = pytest.mark.skipif(
    not SOURCES or not Path(SOURCES, "uv2nix").is_dir(),
    reason="SECTOR7G_NIX_SOURCES does not hold the pinned Nix sources",
)

PACKAGE = (
    '{ type = "derivation"; name = "sector-7g"; outPath = "/nix/store/x-sector-7g"; }'
)
SECRET = 'secretKeyFile = "/run/keys/sector-7g/secret_key";'


def nix_eval(expression: str) -> Any:
    result = subprocess.run(
        ["nix-instantiate", "--eval", "--strict", "--json", "-E", expression],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def evaluate(host: str) -> dict:
    """The module's outcome for this `services.sector-7g` configuration."""
    return nix_eval(
        f"import {REPO}/tests/nix/eval-module.nix {{ sources = {SOURCES}; "
        f"host = {{ enable = true; package = {PACKAGE}; {host} }}; }}"
    )


def test_a_host_with_everything() -> None:
    config = evaluate(
        f"""{SECRET} traefik.enable = true; openFirewall = true;
        settings = {{ SIMULATION_ENABLED = false; SIMULATION_TIME_SCALE = 0.5; }};"""
    )
    assert config["failedAssertions"] == []
    assert len(config["services"]) == 9
    webserver = config["services"]["sector-7g-webserver"]
    assert webserver["requires"] == [
        "postgresql.target",
        "redis-sector-7g.service",
        "sector-7g-migrate.service",
    ]
    assert webserver["serviceConfig"]["SupplementaryGroups"] == ["redis-sector-7g"]
    assert webserver["serviceConfig"]["LoadCredential"] == [
        "secret_key:/run/keys/sector-7g/secret_key"
    ]
    environment = webserver["environment"]
    assert environment["APP_ENV"] == "prod"  # the default, kept beside other settings
    assert environment["SIMULATION_ENABLED"] == "false"
    assert environment["SIMULATION_TIME_SCALE"] == "0.500000"
    assert webserver["environment"]["DATABASE_URL"] == (
        "postgresql://sector-7g@/sector-7g?host=/run/postgresql"
    )
    assert webserver["environment"]["REDIS_URL"] == (
        "unix:///run/redis-sector-7g/redis.sock?db=0"
    )
    assert config["postgresql"]["ensureUsers"] == [
        {"name": "sector-7g", "ensureDBOwnership": True}
    ]
    assert config["redis"]["sector-7g"]["settings"]["maxmemory-policy"] == "noeviction"
    routers = config["traefik"]["dynamic"]["files"]["sector-7g"]["settings"]["http"][
        "routers"
    ]
    assert {router["service"] for router in routers.values()} == {"sector-7g"}
    assert config["firewall"] == [80]
    assert config["cli"] == ["sector-7g-cli"]


def test_a_workers_only_host_against_remote_servers() -> None:
    config = evaluate(
        f"""{SECRET}
        webserver.enable = false;
        scheduler.enable = false;
        workers.homer.maxJobs = 5;
        workers.grimey.enable = false;
        database = {{ createLocally = false;
          url = "postgresql://sector-7g@db.internal/sector-7g";
          passwordFile = "/run/keys/sector-7g/database_password"; }};
        redis = {{ createLocally = false; url = "redis://redis.internal:6379/0"; }};"""
    )
    assert config["failedAssertions"] == []
    assert sorted(config["services"]) == [
        "sector-7g-worker-carl",
        "sector-7g-worker-charlie",
        "sector-7g-worker-homer",
        "sector-7g-worker-inanimate-rod",
        "sector-7g-worker-lenny",
    ]
    homer = config["services"]["sector-7g-worker-homer"]
    assert homer["requires"] == []
    assert homer["environment"]["WORKER_HOMER_MAX_JOBS"] == "5"
    assert (
        "database_password:/run/keys/sector-7g/database_password"
        in (homer["serviceConfig"]["LoadCredential"])
    )
    assert config["postgresql"]["enable"] is False
    assert config["redis"] == {}


def test_impossible_combinations_are_refused() -> None:
    config = evaluate(
        """webserver.enable = false;
        traefik.enable = true;
        database.createLocally = false;
        settings = { APP_ENV = "prod"; SECRET_KEY = "in-the-store"; };"""
    )
    failures = " ".join(config["failedAssertions"])
    assert "secretKeyFile is required" in failures
    assert "database.url must name the remote database" in failures
    assert "traefik needs the webserver" in failures
    assert "would put a secret in the Nix store" in failures


def test_uv2nix_loads_this_workspace_and_finds_a_wheel_for_every_package() -> None:
    for system in ("x86_64-linux", "aarch64-linux"):
        for python in ("3.13.7", "3.14.0"):
            packages = nix_eval(
                f"import {REPO}/tests/nix/wheels.nix {{ sources = {SOURCES}; "
                f'repo = {REPO}; system = "{system}"; '
                f'interpreterVersion = "{python}"; }}'
            )
            assert len(packages) > 50
            without = [p["name"] for p in packages if p["wheel"] is None]
            assert without == [], (system, python, without)


def test_the_flake_has_every_output_for_both_systems() -> None:
    shape = nix_eval(
        f"import {REPO}/tests/nix/flake-shape.nix "
        f"{{ sources = {SOURCES}; repo = {REPO}; }}"
    )
    for system in ("x86_64-linux", "aarch64-linux"):
        assert shape["packages"][system] == ["default", "image", "sector-7g"]
        assert shape["checks"][system] == ["ruff", "tests", "vm-test"]
        assert shape["devShells"][system] == ["default"]
    assert shape["apps"]["x86_64-linux"] == ["default", "vm"]
    assert shape["vmSystem"] == "x86_64-linux"
    assert {"nixosModules", "nixosConfigurations", "formatter"} <= set(shape["top"])
