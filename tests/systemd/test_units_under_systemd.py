"""nix/units.nix run by a real systemd, as a NixOS host would run it.

The units are evaluated from nix/units.nix for a stand-in host and rendered as
NixOS renders them (tests/utils/systemd.py), with their `wantedBy` links, into
a Debian trixie tree that podman boots with systemd as PID 1
(tests/utils/podman.py). The app is the project's wheel in a virtual
environment at /opt/sector-7g, the units' `package`. PostgreSQL and Redis are
Debian's, behind small stand-in units with the names the NixOS modules give
theirs (postgresql.target, redis-sector-7g.service) and the same paths: a unix
socket each, Redis's reached through the `redis-sector-7g` group. Both ask for
a password, so that all three credentials are needed.

What passing proves, with the whole hardening set of units.nix in force:

- sector-7g.target brings every unit up in order (migrations first) at boot,
  and the webserver answers /health/ready;
- a job of every queue runs to completion (the backup's pg_dump included);
- the secrets reach the app through LoadCredential and nowhere else: the
  webserver signs with the secret key, the processes reach PostgreSQL and
  Redis with their passwords, no other unit can read a credential (not even
  one running as the same user), and no environment, command line, unit
  property or journal entry holds a secret;
- `systemctl restart` of a busy worker loses no job, running or queued;
- `systemctl stop sector-7g.target` stops every unit within 20 s;
- what the workers print reaches the journal as JSON lines with job ids.
"""

import json
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest

from app.core.topology import load_topology
from tests.utils.jobs import ONE_PER_QUEUE as JOBS
from tests.utils.podman import (
    APP_PREFIX,
    Podman,
    SystemdContainer,
    booted,
    build_systemd_tree,
    private_podman,
)
from tests.utils.processes import wait_for
from tests.utils.programs import need
from tests.utils.systemd import evaluate_units, write_units

TARGET = "sector-7g.target"
KEYS = "/run/keys/sector-7g"
SECRET_NAMES = ("secret_key", "database_password", "redis_password")
STANDINS = "/usr/local/lib/sector-7g-standins"
WEBSERVER = "http://127.0.0.1:8000"
EMAIL = "smithers@springfield-nuclear.com"
PASSWORD = "excellent-release-the-hounds"
STOP_WITHIN_S = 20
# A command in a transient unit of its own, its output passed back.
TRANSIENT = ("systemd-run", "--quiet", "--wait", "--pipe", "--collect")
# The users systemd allocates for DynamicUser=.
DYNAMIC_UIDS = (61184, 65519)

# What nix/module.nix passes on a host that runs PostgreSQL and Redis itself,
# plus a faster simulated clock and no simulation traffic. `path` gets /usr
# as well: NixOS puts coreutils and friends on every unit's PATH.
HOST = """{
  package = "%(package)s";
  environment = {
    APP_ENV = "prod";
    LOG_FORMAT = "json";
    DATABASE_URL = "postgresql://sector-7g@/sector-7g?host=/run/postgresql";
    REDIS_URL = "unix:///run/redis-sector-7g/redis.sock?db=0";
    HOST = "127.0.0.1";
    PORT = "8000";
    BACKUP_DIR = "/var/lib/sector-7g/backups";
    SIMULATION_ENABLED = "false";
    SIMULATION_TIME_SCALE = "0.5";
  };
  credentials = { %(credentials)s };
  dependencies = [ "postgresql.target" "redis-sector-7g.service" ];
  supplementaryGroups = [ "redis-sector-7g" ];
  path = [ "/usr/lib/postgresql/%(postgres)s" "/usr" ];
}"""

FINAL = {"completed", "failed", "cancelled"}

# NixOS's postgresql.target: the server, then the setup of its users.
POSTGRESQL_TARGET = """\
[Unit]
Description=PostgreSQL (stand-in for the NixOS module's target)
Requires=postgresql@{cluster}.service postgresql-setup.service
After=postgresql@{cluster}.service postgresql-setup.service
"""
POSTGRESQL_SETUP = f"""\
[Unit]
Description=The sector-7g role and database (NixOS: ensureUsers, ensureDatabases)
Requires=postgresql@{{cluster}}.service
After=postgresql@{{cluster}}.service

[Service]
Type=oneshot
RemainAfterExit=yes
User=postgres
LoadCredential=database_password:{KEYS}/database_password
ExecStart=/usr/bin/psql --quiet --set=ON_ERROR_STOP=1 --file={STANDINS}/setup.sql
"""
# The password is read by psql itself: never on a command line.
SETUP_SQL = r"""
\set password `cat "$CREDENTIALS_DIRECTORY/database_password"`
SELECT 'CREATE ROLE "sector-7g" LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sector-7g') \gexec
ALTER ROLE "sector-7g" PASSWORD :'password';
SELECT 'CREATE DATABASE "sector-7g" OWNER "sector-7g"'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'sector-7g') \gexec
"""
# services.redis.servers.sector-7g: a socket only, for its group.
REDIS_UNIT = f"""\
[Unit]
Description=Redis for sector-7g (stand-in for services.redis.servers.sector-7g)

[Service]
Type=notify
User=redis-sector-7g
Group=redis-sector-7g
RuntimeDirectory=redis-sector-7g
RuntimeDirectoryMode=0750
StateDirectory=redis-sector-7g
LoadCredential=redis_password:{KEYS}/redis_password
ExecStart={STANDINS}/redis
"""
REDIS_CONF = """\
port 0
unixsocket /run/redis-sector-7g/redis.sock
unixsocketperm 660
dir /var/lib/redis-sector-7g
appendonly yes
maxmemory-policy noeviction
supervised systemd
"""
# The password goes in a file only Redis can read: never on a command line.
REDIS_START = f"""\
#!/bin/sh
set -eu
umask 077
config=/run/redis-sector-7g/redis.conf
cat {STANDINS}/redis.conf >"$config"
printf 'requirepass %s\\n' "$(cat "$CREDENTIALS_DIRECTORY/redis_password")" >>"$config"
exec redis-server "$config"
"""

# Runs in the container (it has only loopback): a list of requests on stdin,
# a list of [status, body] on stdout.
HTTP_CLIENT = """
import json, sys, urllib.error, urllib.parse, urllib.request
replies = []
for call in json.load(sys.stdin):
    headers, data = dict(call["headers"]), None
    if call.get("json") is not None:
        data = json.dumps(call["json"]).encode()
        headers["Content-Type"] = "application/json"
    elif call.get("form") is not None:
        data = urllib.parse.urlencode(call["form"]).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(
        call["url"], data=data, headers=headers, method=call["method"]
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except OSError as error:
        status, body = 0, json.dumps(str(error)).encode()
    replies.append([status, json.loads(body or b"null")])
json.dump(replies, sys.stdout)
"""


@dataclass
class Plant:
    """The booted host: its systemd, its units, its secrets, a logged-in user."""

    container: SystemdContainer
    services: dict[str, Any]
    secrets: dict[str, str]
    token: str = ""

    @property
    def units(self) -> list[str]:
        return [f"{name}.service" for name in sorted(self.services)]

    @property
    def serving(self) -> list[str]:
        """The units with a process: all but the migration."""
        return [unit for unit in self.units if unit != "sector-7g-migrate.service"]

    def requests(self, *calls: dict[str, Any]) -> list[tuple[int, Any]]:
        auth = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        calls = tuple(
            {**call, "url": WEBSERVER + call["url"], "headers": auth} for call in calls
        )
        result = self.container.exec(
            "python3", "-c", HTTP_CLIENT, input=json.dumps(calls), timeout=60
        )
        return [(status, body) for status, body in json.loads(result.stdout)]

    def get(self, url: str) -> tuple[int, Any]:
        return self.requests({"method": "GET", "url": url})[0]

    def enqueue(self, task: str, count: int = 1) -> list[str]:
        call = {
            "method": "POST",
            "url": "/api/v1/tasks/enqueue",
            "json": {"task": task},
        }
        replies = self.requests(*[call] * count)
        assert all(status == 202 for status, _ in replies), replies
        return [body["job_id"] for _, body in replies]

    def statuses(self, job_ids: Iterable[str]) -> dict[str, str]:
        ids = list(job_ids)
        calls = [{"method": "GET", "url": f"/api/v1/tasks/{job}"} for job in ids]
        return {
            job: body["status"] for job, (_, body) in zip(ids, self.requests(*calls))
        }

    def finish(self, job_ids: Iterable[str], timeout_s: float) -> dict[str, str]:
        """The final status of every job, once each has one."""
        ids = list(job_ids)
        eventually(
            lambda: set(self.statuses(ids).values()) <= FINAL,
            timeout_s=timeout_s,
            explain=lambda: f"jobs: {self.statuses(ids)}\n{self.diagnosis()}",
        )
        return self.statuses(ids)

    def states(self) -> dict[str, str]:
        shown = self.container.systemctl("is-active", TARGET, *self.units, check=False)
        return dict(zip([TARGET, *self.units], shown.stdout.split(), strict=True))

    def start(self) -> None:
        """The target started (a no-op when it runs), and the webserver ready."""
        started = self.container.systemctl("start", TARGET, check=False, timeout=300)
        assert started.returncode == 0, f"{started.stderr}\n{self.diagnosis()}"
        eventually(
            lambda: self.get("/health/ready")[0] == 200,
            timeout_s=60,
            explain=lambda: (
                f"/health/ready: {self.get('/health/ready')}\n" + self.diagnosis()
            ),
        )

    def cli(self, *args: str, credentials: Iterable[str] = ()) -> str:
        """`sector-7g ARGS` as nix/module.nix's sector-7g-cli runs it: a
        transient unit with the webserver's user, credentials and settings,
        and further `credentials` (LoadCredential= values)."""
        unit = self.services["sector-7g-webserver"]
        config = unit["serviceConfig"]
        properties = ["DynamicUser=yes", f"User={config['User']}"]
        properties += [f"Group={config['Group']}"]
        properties += [
            f"SupplementaryGroups={g}" for g in config["SupplementaryGroups"]
        ]
        properties += [
            f"LoadCredential={c}" for c in [*config["LoadCredential"], *credentials]
        ]
        command = [*TRANSIENT, *[f"--property={p}" for p in properties]]
        command += [f"--setenv={k}={v}" for k, v in unit["environment"].items()]
        command += [f"{APP_PREFIX}/bin/sector-7g", *args]
        return self.container.exec(*command, timeout=120).stdout

    def diagnosis(self) -> str:
        failed = self.container.systemctl("--failed", "--plain", check=False).stdout
        units = [f"--unit={unit}" for unit in self.units]
        tail = self.container.journal("--lines=80", "--output=short-monotonic", *units)
        return f"failed units:\n{failed}\njournal of the app's units:\n{tail}"


@pytest.fixture(scope="module")
def plant() -> Iterator[Plant]:
    need("podman", "runc", "debootstrap", "nix-instantiate")
    started = time.monotonic()
    with private_podman(Path(tempfile.mkdtemp(prefix="s7g-podman-"))) as podman:
        rootfs = podman.base / "rootfs"
        build_systemd_tree(podman, rootfs, podman.base)
        built_s = time.monotonic() - started
        (postgres,) = [p.name for p in (rootfs / "usr/lib/postgresql").iterdir()]
        credentials = " ".join(f'{n} = "{KEYS}/{n}";' for n in SECRET_NAMES)
        units = evaluate_units(
            HOST
            % {"package": APP_PREFIX, "credentials": credentials, "postgres": postgres}
        )
        _install_units(units, rootfs)
        _install_standins(podman, rootfs, postgres)
        values = {name: secrets.token_hex(24) for name in SECRET_NAMES}
        keys = _write_keys(podman.base / "keys", values)
        with booted(podman, rootfs, [f"{keys}:{KEYS}:ro"]) as container:
            plant = Plant(container, units["services"], values)
            plant.start()
            up_s = time.monotonic() - started - built_s
            # A file only root reads, handed over as a credential: the
            # transient unit's user cannot open root's stdin.
            plant.container.exec(
                "sh", "-c", "umask 077 && cat >/run/admin-password", input=PASSWORD
            )
            plant.cli(
                "auth",
                "create-user",
                EMAIL,
                "--password-file=${CREDENTIALS_DIRECTORY}/password",
                credentials=["password:/run/admin-password"],
            )
            form = {"username": EMAIL, "password": PASSWORD}
            status, body = plant.requests(
                {"method": "POST", "url": "/api/v1/auth/token", "form": form}
            )[0]
            assert status == 200, body
            plant.token = body["access_token"]
            print(f"\ntree built in {built_s:.0f} s, app up {up_s:.0f} s later")
            yield plant
    print(f"\nunits under systemd: {time.monotonic() - started:.0f} s in all")


@pytest.fixture(autouse=True)
def running(plant: Plant) -> None:
    """Each test starts with the app up, whatever ran before."""
    plant.start()


@pytest.fixture(scope="module")
def queue_jobs(plant: Plant) -> dict[str, str]:
    """One job per queue, run to its end: queue -> job id."""
    assert set(JOBS) == set(load_topology().queues)
    jobs = {queue: plant.enqueue(task)[0] for queue, task in JOBS.items()}
    plant.finish(jobs.values(), timeout_s=120)
    return jobs


def eventually(
    condition: Callable[[], object],
    *,
    timeout_s: float,
    explain: Callable[[], str],
) -> None:
    """`wait_for`, with `explain()` (the state at the time) if it times out."""
    try:
        wait_for(condition, timeout_s=timeout_s, message=f"{timeout_s} s passed")
    except AssertionError as error:
        raise AssertionError(f"{error}\n{explain()}") from None


def _install_units(units: dict[str, Any], rootfs: Path) -> None:
    """The unit files in /etc/systemd/system, and the links NixOS makes for
    `wantedBy` (the target is wanted by multi-user.target: it starts at boot)."""
    directory = rootfs / "etc/systemd/system"
    write_units(units, directory)
    kinds = [("service", units["services"]), ("target", units["targets"])]
    for kind, group in kinds:
        for name, unit in group.items():
            for wanted_by in unit.get("wantedBy", []):
                wants = directory / f"{wanted_by}.wants"
                wants.mkdir(exist_ok=True)
                (wants / f"{name}.{kind}").symlink_to(f"../{name}.{kind}")


def _install_standins(podman: Podman, rootfs: Path, postgres: str) -> None:
    """postgresql.target and redis-sector-7g.service around Debian's servers."""
    cluster = f"{postgres}-main"
    units = rootfs / "etc/systemd/system"
    (units / "postgresql.target").write_text(POSTGRESQL_TARGET.format(cluster=cluster))
    setup = POSTGRESQL_SETUP.format(cluster=cluster)
    (units / "postgresql-setup.service").write_text(setup)
    (units / "redis-sector-7g.service").write_text(REDIS_UNIT)
    files = rootfs / STANDINS.lstrip("/")
    files.mkdir(parents=True)
    (files / "setup.sql").write_text(SETUP_SQL)
    (files / "redis.conf").write_text(REDIS_CONF)
    (files / "redis").write_text(REDIS_START)
    (files / "redis").chmod(0o755)
    # The app logs in to PostgreSQL with a password, over the socket.
    hba = rootfs / f"etc/postgresql/{postgres}/main/pg_hba.conf"
    hba.write_text("local sector-7g sector-7g scram-sha-256\n" + hba.read_text())
    podman.run_script(
        rootfs,
        """
        useradd --system --user-group --no-create-home \\
            --home-dir /var/lib/redis-sector-7g --shell /usr/sbin/nologin \\
            redis-sector-7g
        """,
    )


def _write_keys(directory: Path, values: dict[str, str]) -> Path:
    """The secrets as a host keeps them: root's, mode 0600, outside any unit."""
    directory.mkdir(mode=0o700)
    for name, value in values.items():
        path = directory / name
        path.write_text(value + "\n")
        path.chmod(0o600)
    return directory


def test_boot_starts_every_unit_of_the_target_and_the_webserver_is_ready(
    plant: Plant,
) -> None:
    states = plant.states()
    assert states == dict.fromkeys(states, "active"), plant.diagnosis()
    status, body = plant.get("/health/ready")
    assert status == 200, body
    # As rendered, sandboxed, and (the processes) run by a dynamic user.
    for unit in plant.units:
        shown = plant.container.systemctl(
            "show", "--property=DynamicUser,PrivateUsers,ProtectSystem", unit
        ).stdout.split()
        assert shown == ["DynamicUser=yes", "PrivateUsers=yes", "ProtectSystem=strict"]
    for unit in plant.serving:
        pid = plant.container.main_pid(unit)
        uid = int(plant.container.exec("stat", "--format=%u", f"/proc/{pid}").stdout)
        assert DYNAMIC_UIDS[0] <= uid <= DYNAMIC_UIDS[1], f"{unit}: uid {uid}"


def test_a_job_of_every_queue_completes(
    plant: Plant, queue_jobs: dict[str, str]
) -> None:
    statuses = plant.statuses(queue_jobs.values())
    assert statuses == dict.fromkeys(statuses, "completed")


def test_the_secrets_reach_the_app_through_credentials_only(plant: Plant) -> None:
    # The webserver signs with the key it was given.
    claims = jwt.decode(
        plant.token,
        plant.secrets["secret_key"],
        algorithms=["HS256"],
        audience="sector-7g",
        issuer="sector-7g",
    )
    assert claims["sub"]
    for unit in plant.serving:
        pid = plant.container.main_pid(unit)
        environ = plant.container.exec("cat", f"/proc/{pid}/environ").stdout
        cmdline = plant.container.exec("cat", f"/proc/{pid}/cmdline").stdout
        shown = plant.container.systemctl("show", unit).stdout
        assert f"CREDENTIALS_DIRECTORY=/run/credentials/{unit}" in environ
        for name, value in plant.secrets.items():
            assert value not in environ + cmdline + shown, f"{name} in {unit}"
        # What the process finds in its credentials directory.
        files = [f"/run/credentials/{unit}/{name}" for name in plant.secrets]
        seen = plant.container.exec(
            "nsenter", f"--target={pid}", "--mount", "cat", *files
        )
        assert seen.stdout.split() == list(plant.secrets.values()), unit
    # Other units: an unprivileged one, a dynamic user, and one that runs as
    # the app's own user are refused; a unit of root's (a positive control)
    # finds the files where the others look.
    readers = {
        "nobody": ["--uid=nobody"],
        "a dynamic user": ["--property=DynamicUser=yes"],
        "the app's user": ["--property=DynamicUser=yes", "--property=User=sector-7g"],
    }
    for unit in plant.serving:
        files = [f"/run/credentials/{unit}/{name}" for name in plant.secrets]
        as_root = plant.container.exec(*TRANSIENT, "cat", *files).stdout
        assert as_root.split() == list(plant.secrets.values()), unit
        for who, properties in readers.items():
            read = plant.container.exec(
                *TRANSIENT, *properties, "cat", *files, check=False
            )
            assert read.stdout == "", f"{who} read {unit}'s credentials"
            refused = read.stderr.count("Permission denied")
            assert refused == len(files), f"{who}, {unit}: {read.stderr}"
    journal = plant.container.journal("--output=export")  # every field of every entry
    for name, value in plant.secrets.items():
        assert value not in journal, f"{name} is in the journal"


def test_restarting_a_busy_worker_loses_no_job(plant: Plant) -> None:
    unit = "sector-7g-worker-charlie.service"
    capacity = load_topology().queues["charlie"].max_jobs
    before = plant.container.main_pid(unit)
    # More than the worker runs at once: some wait in the queue.
    jobs = plant.enqueue("monitor_gauges_task", count=capacity + 5)
    before_restart: Counter[str] = Counter()

    def busy() -> bool:
        before_restart.clear()
        before_restart.update(plant.statuses(jobs).values())
        return bool(before_restart["running"])

    wait_for(busy, timeout_s=30, message="the worker to pick up jobs")
    # A job takes 1.4 s at least: those seen running still run at the restart.
    started = time.monotonic()
    plant.container.systemctl("restart", unit, timeout=90)
    restart_s = time.monotonic() - started
    after_restart = Counter(plant.statuses(jobs).values())
    assert before_restart["running"] and before_restart["enqueued"], before_restart
    assert plant.container.main_pid(unit) not in (0, before)
    final = plant.finish(jobs, timeout_s=120)
    assert final == dict.fromkeys(jobs, "completed"), final
    print(
        f"\nbusy worker restarted in {restart_s:.1f} s: jobs before "
        f"{dict(before_restart)}, after {dict(after_restart)}"
    )


def test_the_workers_journal_is_json_lines_with_job_ids(
    plant: Plant, queue_jobs: dict[str, str]
) -> None:
    topology = load_topology()
    for queue, job_id in queue_jobs.items():
        unit = f"sector-7g-{topology.queues[queue].service_name}.service"
        # What the process printed (not systemd's own lines about the unit).
        printed = plant.container.journal(
            f"_SYSTEMD_UNIT={unit}", "_TRANSPORT=stdout", "--output=cat"
        )
        records = [json.loads(line) for line in printed.splitlines() if line]
        assert job_id in {record.get("job_id") for record in records}, unit


def test_stopping_the_target_stops_every_unit_within_20_s(plant: Plant) -> None:
    started = time.monotonic()
    plant.container.systemctl("stop", TARGET, timeout=60)
    eventually(
        lambda: set(plant.states().values()) == {"inactive"},
        timeout_s=STOP_WITHIN_S,
        explain=lambda: f"{plant.states()}\n{plant.diagnosis()}",
    )
    stop_s = time.monotonic() - started
    print(f"\nsector-7g.target stopped in {stop_s:.1f} s")
    assert stop_s <= STOP_WITHIN_S
