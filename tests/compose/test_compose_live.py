"""docker-compose.yml, run for real: a private Docker engine, the stand-in
images (tests/utils/docker.py), `up --wait`, and the plant through Traefik."""

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.core.topology import load_topology
from app.devstack.servers import free_port
from tests.utils.docker import DockerEngine, StandinImages, run
from tests.utils.jobs import ONE_PER_QUEUE as JOBS
from tests.utils.processes import wait_for
from tests.utils.systemd import REPO

SECRETS = ("secret_key", "database_password", "redis_password")
EMAIL = "smithers@springfield-nuclear.com"
PASSWORD = "excellent-release-the-hounds"
FINAL = {"completed", "failed", "cancelled"}


@dataclass(frozen=True)
class Project:
    """The committed Compose file in a directory of its own, with its secrets
    there too, run by a private engine on the stand-in images."""

    directory: Path
    env: dict[str, str]
    http_port: int

    def compose(
        self, *args: str, check: bool = True, **kwargs: object
    ) -> subprocess.CompletedProcess[str]:
        command = ["docker", "compose", "--profile", "dev", *args]
        return run(command, check=check, cwd=self.directory, env=self.env, **kwargs)

    def write_secrets(self) -> None:
        secrets = self.directory / "secrets"
        secrets.mkdir()
        for name in SECRETS:
            # Read inside the containers by their own (unprivileged) users.
            (secrets / name).write_text(f"{_secret(name)}\n")
            (secrets / name).chmod(0o644)


def _secret(name: str) -> str:
    return f"test-{name}-0123456789abcdef"


def _project(tmp: Path, engine: DockerEngine, images: StandinImages) -> Project:
    directory = tmp / "sector-7g"
    directory.mkdir()
    shutil.copy(REPO / "docker-compose.yml", directory)
    http_port = free_port()
    env = engine.env | {
        "SECTOR7G_IMAGE": images.app,
        "POSTGRES_IMAGE": images.infra,
        "REDIS_IMAGE": images.infra,
        "TRAEFIK_IMAGE": images.infra,
        "HTTP_PORT": str(http_port),
        "TRAEFIK_API_PORT": str(free_port()),
    }
    return Project(directory, env, http_port)


def test_compose_refuses_to_start_without_its_secrets(
    engine: DockerEngine, images: StandinImages, tmp_path: Path
) -> None:
    project = _project(tmp_path, engine, images)
    refused = project.compose("up", "--detach", "--pull=never", check=False)
    assert refused.returncode != 0
    assert "secret" in refused.stderr, refused.stderr
    assert any(f"secrets/{name}" in refused.stderr for name in SECRETS)
    project.compose("down", "--volumes")


def test_the_stack_runs_and_every_queue_does_its_job(
    engine: DockerEngine, images: StandinImages, tmp_path: Path
) -> None:
    assert set(JOBS) == set(load_topology().queues)
    project = _project(tmp_path, engine, images)
    project.write_secrets()
    started = time.monotonic()
    try:
        project.compose("up", "--detach", "--pull=never", "--wait", timeout=300)
        up_s = time.monotonic() - started
        project.compose(
            "exec",
            "--no-TTY",
            "webserver",
            "sector-7g",
            "auth",
            "create-user",
            EMAIL,
            "--password-file=/dev/stdin",
            input=PASSWORD,
        )
        base_url = f"http://127.0.0.1:{project.http_port}"
        with httpx.Client(base_url=base_url, timeout=10) as client:
            assert client.get("/health/ready").status_code == 200
            token = client.post(
                "/api/v1/auth/token", data={"username": EMAIL, "password": PASSWORD}
            )
            assert token.status_code == 200, token.text
            client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            job_ids = {}
            for queue, task in JOBS.items():
                reply = client.post("/api/v1/tasks/enqueue", json={"task": task})
                assert reply.status_code == 202, reply.text
                job_ids[queue] = reply.json()["job_id"]

            def status(job_id: str) -> str:
                return client.get(f"/api/v1/tasks/{job_id}").json()["status"]

            wait_for(
                lambda: all(status(job) in FINAL for job in job_ids.values()),
                timeout_s=120,
                message="one job per queue to finish",
            )
            outcomes = {queue: status(job) for queue, job in job_ids.items()}
            assert outcomes == dict.fromkeys(JOBS, "completed")
            dashboard = client.get("/dashboard/")
            assert dashboard.status_code == 200
        ran_s = time.monotonic() - started
        print(f"\nCompose: healthy in {up_s:.1f} s, jobs done {ran_s:.1f} s after up")
    finally:
        logs = project.compose("logs", "--no-color", check=False).stdout
        down = project.compose("down", "--volumes", "--timeout=30", check=False)
        if down.returncode:
            print(logs[-20000:])
    assert down.returncode == 0, down.stderr
    assert not [name for name in SECRETS if _secret(name) in logs]
    left = engine.docker("ps", "--all", "--quiet").stdout.split()
    volumes = engine.docker("volume", "ls", "--quiet").stdout.split()
    assert (left, volumes) == ([], [])
