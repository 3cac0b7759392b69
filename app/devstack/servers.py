"""PostgreSQL and Redis servers run from the binaries on PATH.

The test suite starts throwaway ones; `sector-7g up` starts them in the
project's data directory. Each server is one child process, stopped by its PID.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path

from app.deploy import traefik

# PostgreSQL refuses to run as root; as root we hand its files to this account.
UNPRIVILEGED_USERS = ("postgres", "nobody")


class ServerError(RuntimeError):
    """A server would not start or stop; the message says which and why."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ServerError(f"{name} not found on PATH")
    return path


class ManagedProcess:
    """A child process with a log file, stopped gently and then firmly."""

    def __init__(self, name: str, log_path: Path | None) -> None:
        self.name = name
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        process = self.process
        return process.pid if process is not None and process.poll() is None else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def spawn(
        self,
        argv: list[str],
        *,
        user: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        """Start `argv`; its output goes to the log file, or to ours without one.

        The child gets a session of its own, so a Ctrl-C on our terminal
        reaches us only and we stop children in our own order.
        """
        with ExitStack() as stack:
            log_file = (
                stack.enter_context(self.log_path.open("ab")) if self.log_path else None
            )
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT if log_file else None,
                user=user,
                env=env,
                start_new_session=True,
            )

    def wait(self) -> int:
        """Block until the process exits; its exit status."""
        if self.process is None:
            raise ServerError(f"{self.name} was never started")
        return self.process.wait()

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        self.stop(signal.SIGKILL)

    def log_tail(self, lines: int = 20) -> str:
        if self.log_path is None:
            return ""
        try:
            return "\n".join(
                self.log_path.read_text(errors="replace").splitlines()[-lines:]
            )
        except OSError:
            return ""


def _wait_until(ready, server: ManagedProcess, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not server.running:
            raise ServerError(f"{server.name} exited:\n{server.log_tail()}")
        if ready():
            return
        time.sleep(0.05)
    raise ServerError(
        f"{server.name} not ready after {timeout_s} s:\n{server.log_tail()}"
    )


def _accepts_connections(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _unprivileged_user() -> str | None:
    """The account to run PostgreSQL as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_USERS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise ServerError("running as root and no unprivileged account to run PostgreSQL")


class PostgresServer(ManagedProcess):
    """A PostgreSQL cluster in `data_dir`, listening on loopback and a socket."""

    SUPERUSER = "postgres"

    def __init__(
        self, base_dir: Path, *, port: int | None = None, durable: bool = True
    ) -> None:
        base_dir.mkdir(parents=True, exist_ok=True)
        super().__init__("postgresql", base_dir / "postgresql.log")
        self.base_dir = base_dir
        self.data_dir = base_dir / "data"
        self.socket_dir = base_dir / "run"
        self.port = port or free_port()
        self.durable = durable
        self.os_user = _unprivileged_user()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def socket_url(self, database: str = "postgres") -> str:
        return (
            f"postgresql://{self.SUPERUSER}@/{database}"
            f"?host={self.socket_dir}&port={self.port}"
        )

    def start(self, timeout_s: float = 30.0) -> None:
        self.prepare()
        self.spawn(self.argv(), user=self.os_user)
        _wait_until(self.is_ready, self, timeout_s)

    def prepare(self) -> None:
        """The cluster (initialised on first use) and its socket directory."""
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        self.socket_dir.mkdir(exist_ok=True)
        self._hand_over(self.socket_dir)

    def is_ready(self) -> bool:
        """Accepting sessions, not merely listening: while it starts up, the
        server takes connections only to refuse them (pg_isready tells)."""
        if not (self.socket_dir / f".s.PGSQL.{self.port}").exists():
            return False
        probe = [require_binary("pg_isready"), "-q", "-t", "2"]
        probe += ["-h", "127.0.0.1", "-p", str(self.port)]
        return subprocess.run(probe, check=False, timeout=5).returncode == 0

    def argv(self) -> list[str]:
        argv = [
            require_binary("postgres"),
            "-D", str(self.data_dir),
            "-p", str(self.port),
            "-k", str(self.socket_dir),
            "-c", "listen_addresses=127.0.0.1",
        ]  # fmt: skip
        if not self.durable:
            # Throwaway test data: skip the disk flushes that make it survive.
            argv += ["-c", "fsync=off", "-c", "synchronous_commit=off"]
            argv += ["-c", "full_page_writes=off"]
        return argv

    def stop(self, sig: int = signal.SIGINT, timeout_s: float = 15.0) -> None:
        """SIGINT is PostgreSQL's "fast" shutdown: clients are disconnected."""
        super().stop(sig, timeout_s)

    def _initdb(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._hand_over(self.base_dir)
        self._hand_over(self.data_dir)
        result = subprocess.run(
            [
                require_binary("initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                self.SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
            ],  # fmt: skip
            capture_output=True,
            text=True,
            user=self.os_user,
            check=False,
        )
        if result.returncode != 0:
            hint = ""
            if self.os_user is not None and "Permission denied" in result.stderr:
                hint = (
                    f"\n(PostgreSQL runs as {self.os_user}: every directory above "
                    f"{self.data_dir} must be open to it)"
                )
            raise ServerError(f"initdb failed:\n{result.stderr.strip()}{hint}")

    def _hand_over(self, path: Path) -> None:
        if self.os_user is not None:
            shutil.chown(path, self.os_user, self.os_user)


class RedisServer(ManagedProcess):
    """A Redis server on loopback and a unix socket, AOF optional."""

    def __init__(
        self,
        base_dir: Path,
        *,
        port: int | None = None,
        appendonly: bool = False,
        password: str | None = None,
    ) -> None:
        base_dir.mkdir(parents=True, exist_ok=True)
        super().__init__("redis", base_dir / "redis.log")
        self.base_dir = base_dir
        self.port = port or free_port()
        self.socket_path = base_dir / "redis.sock"
        self.appendonly = appendonly
        self.password = password

    def url(self, db: int = 0) -> str:
        """The URL without the password (pass it as REDIS_PASSWORD)."""
        return f"redis://127.0.0.1:{self.port}/{db}"

    def socket_url(self, db: int = 0) -> str:
        return f"unix://{self.socket_path}?db={db}"

    def start(self, timeout_s: float = 15.0) -> None:
        self.spawn(self.argv())
        _wait_until(self.is_ready, self, timeout_s)

    def is_ready(self) -> bool:
        return _accepts_connections("127.0.0.1", self.port)

    def argv(self) -> list[str]:
        options = {
            "port": str(self.port),
            "bind": "127.0.0.1",
            "unixsocket": str(self.socket_path),
            "unixsocketperm": "700",
            "dir": str(self.base_dir),
            "save": "",
            "appendonly": "yes" if self.appendonly else "no",
            # Queued jobs are never evicted to make room.
            "maxmemory-policy": "noeviction",
        }
        if self.password:
            options["requirepass"] = self.password
        argv = [require_binary("redis-server")]
        for option, value in options.items():
            argv += [f"--{option}", value]
        return argv


class TraefikServer(ManagedProcess):
    """Traefik on loopback: `/` and `/dashboard` (websockets included) to the
    webserver, its API and ping on a port of their own."""

    def __init__(
        self,
        base_dir: Path,
        *,
        backend_url: str,
        port: int | None = None,
        api_port: int | None = None,
    ) -> None:
        base_dir.mkdir(parents=True, exist_ok=True)
        super().__init__("traefik", base_dir / "traefik.log")
        self.base_dir = base_dir
        self.backend_url = backend_url
        self.port = port or free_port()
        self.api_port = api_port or free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start(self, timeout_s: float = 20.0) -> None:
        self.prepare()
        self.spawn(self.argv())
        _wait_until(self.is_ready, self, timeout_s)

    def is_ready(self) -> bool:
        """Both entry points take connections (the API's /ping then answers)."""
        return _accepts_connections("127.0.0.1", self.api_port) and (
            _accepts_connections("127.0.0.1", self.port)
        )

    @property
    def routes(self) -> Path:
        return self.base_dir / "routes.toml"

    def prepare(self) -> None:
        self.routes.write_text(traefik.routes(self.backend_url))

    def argv(self) -> list[str]:
        return [
            require_binary("traefik"),
            *traefik.arguments(
                web=f"127.0.0.1:{self.port}",
                api=f"127.0.0.1:{self.api_port}",
                routes_file=str(self.routes),
            ),
        ]
