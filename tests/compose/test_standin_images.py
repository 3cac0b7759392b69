"""The stand-in images honour the contracts the generated Compose file relies on.

There is no registry here, so the Compose tests run the app's image and
postgres:16, redis:7 and traefik:v3 as images built locally
(tests/utils/docker.py). This proves, with plain `docker run`, that they behave
as the Compose file expects of the real ones: the app's entrypoint and user,
pg_dump for backups; the postgres entrypoint's variables, its named volume,
password logins over the network and pg_isready for the healthcheck; redis and
traefik as the unprivileged users the Compose file names.
"""

from pathlib import Path

from tests.utils.docker import DockerEngine, StandinImages
from tests.utils.processes import wait_for

PG_USER = "sector7g"
PG_DB = "sector7g_db"
PG_PASSWORD = "standin-password"


def test_standin_images(
    engine: DockerEngine, images: StandinImages, tmp_path: Path
) -> None:
    docker = engine.docker

    # The app: its CLI as nobody, from /data, and pg_dump for the backups.
    app = ["run", "--rm", "--env=COLUMNS=200", images.app]
    assert "worker-homer" in docker(*app, "topology", "show").stdout
    identity = docker(*app[:-1], "--entrypoint=sh", images.app, "-c", "id -u; pwd")
    assert identity.stdout.split() == ["65534", "/data"]
    assert (
        "pg_dump (PostgreSQL)"
        in docker(*app[:-1], "--entrypoint=pg_dump", images.app, "--version").stdout
    )

    # The postgres entrypoint refuses to start without its variables.
    refused = docker("run", "--rm", "--user=postgres", images.infra, check=False)
    assert refused.returncode != 0
    assert "POSTGRES_USER" in refused.stderr

    password = tmp_path / "postgres-password"
    password.write_text(f"{PG_PASSWORD}\n")
    password.chmod(0o644)  # read by the postgres user inside the container
    network, volume = "s7g-standin-net", "s7g-standin-pgdata"
    postgres, redis = "s7g-standin-postgres", "s7g-standin-redis"
    docker("network", "create", network)
    docker("volume", "create", volume)
    try:
        docker(
            "run",
            "--detach",
            f"--name={postgres}",
            f"--network={network}",
            "--user=postgres",
            f"--env=POSTGRES_USER={PG_USER}",
            f"--env=POSTGRES_DB={PG_DB}",
            "--env=POSTGRES_PASSWORD_FILE=/run/secrets/postgres-password",
            f"--volume={password}:/run/secrets/postgres-password:ro",
            f"--volume={volume}:/var/lib/postgresql/data",
            images.infra,
        )
        wait_for(
            lambda: (
                docker(
                    "exec",
                    postgres,
                    "pg_isready",
                    f"--username={PG_USER}",
                    f"--dbname={PG_DB}",
                    check=False,
                ).returncode
                == 0
            ),
            timeout_s=60,
            message="postgres to be ready",
        )

        def psql(password: str) -> str:
            url = f"postgresql://{PG_USER}:{password}@{postgres}/{PG_DB}"
            query = "select current_user, current_database()"
            client = ["run", "--rm", f"--network={network}", images.infra]
            result = docker(*client, "psql", url, "-Atc", query, check=False)
            return result.stdout.strip() or result.stderr

        assert psql(PG_PASSWORD) == f"{PG_USER}|{PG_DB}"
        assert "password authentication failed" in psql("wrong")

        docker(
            "run",
            "--detach",
            f"--name={redis}",
            f"--network={network}",
            "--user=redis",
            "--entrypoint=sh",
            images.infra,
            "-c",
            "exec redis-server --appendonly yes",
        )
        wait_for(
            lambda: (
                docker("exec", redis, "redis-cli", "ping", check=False).stdout
                == "PONG\n"
            ),
            timeout_s=30,
            message="redis to answer",
        )

        traefik = docker(
            "run",
            "--rm",
            "--user=65534",
            "--entrypoint=traefik",
            images.infra,
            "version",
        )
        assert "Version:" in traefik.stdout
    finally:
        docker("rm", "--force", "--volumes", postgres, redis, check=False)
        docker("network", "rm", network, check=False)
        docker("volume", "rm", volume, check=False)
