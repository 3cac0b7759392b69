"""Podman for tests: a private engine, a Debian trixie tree with systemd and
the app, and systemd booted from that tree.

Everything podman keeps (containers, its runtime state, the tree) lives under
one directory that is removed afterwards. The tree is used in place
(`--rootfs`), so there is no image store to import into or prune. Containers
have no network but loopback: tests talk to them through `podman exec`.
"""

import os
import shutil
import textwrap
import time
import uuid
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

from tests.utils.docker import DEBIAN_MIRROR, DEBIAN_SUITE, _app_wheels, run
from tests.utils.programs import need

# Where the app's virtual environment goes: the units' `package`.
APP_PREFIX = "/opt/sector-7g"
SYSTEMD_PACKAGES = [
    "systemd",
    "systemd-sysv",
    "dbus",
    "python3",
    "python3-venv",
    "postgresql",
    "redis-server",
    "ca-certificates",
    "procps",
]

# systemd makes / a shared mount when the kernel starts it, not in a
# container. Without it, the credentials of a unit without a mount namespace of
# its own never appear (systemd mounts them from a child namespace), and no
# unit's credentials are visible where they are on a real host.
SHARED_ROOT_UNIT = """\
[Unit]
Description=Shared mount propagation on /, as systemd sets it up on a real host
DefaultDependencies=no
Before=sysinit.target local-fs.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/bin/mount --make-rshared /
"""

# The default ulimits exceed what this machine allows; crun rejects the
# hybrid cgroups; there is no systemd on the host to manage cgroups or keep
# events. Storage and run state go under `base` by podman's flags, the rest here.
CONTAINERS_CONF = """\
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "none"
tmp_dir = "{base}/tmp"
"""


@dataclass(frozen=True)
class Podman:
    """podman with its storage, state and configuration under `base`."""

    base: Path

    def __call__(
        self, *args: str | Path, timeout: float = 120, **kwargs: Any
    ) -> CompletedProcess[str]:
        command = [
            "podman",
            f"--root={self.base / 'storage'}",
            f"--runroot={self.base / 'run'}",
            # No image layers are used (`--rootfs`): the simplest driver.
            "--storage-driver=vfs",
            *args,
        ]
        env = os.environ | {"CONTAINERS_CONF": str(self.base / "containers.conf")}
        return run(command, env=env, timeout=timeout, **kwargs)

    def run_script(
        self, rootfs: Path, script: str, mounts: dict[str, Path] | None = None
    ) -> None:
        """`script` as root in `rootfs` (no systemd, no network), `mounts`
        read-only; what it changes stays in the tree."""
        volumes = [
            f"--volume={host}:{inside}:ro" for inside, host in (mounts or {}).items()
        ]
        self(
            "run",
            "--rm",
            "--network=none",
            *volumes,
            "--rootfs",
            rootfs,
            "/bin/sh",
            "-euc",
            textwrap.dedent(script),
            timeout=600,
        )
        for inside in mounts or {}:  # the empty mount points podman made
            (rootfs / inside.lstrip("/")).rmdir()


@contextmanager
def private_podman(base: Path) -> Generator[Podman]:
    """A podman of its own under `base`; every container it made is removed,
    then `base`."""
    need("podman", "runc")
    base.mkdir(parents=True, exist_ok=True)
    (base / "containers.conf").write_text(CONTAINERS_CONF.format(base=base))
    podman = Podman(base)
    try:
        yield podman
    finally:
        podman("rm", "--all", "--force", "--time=10", check=False)
        _remove_tree(base)


def _remove_tree(base: Path) -> None:
    """`base`, unless something is still mounted under it (then it stays, and
    the test says so rather than deleting through a mount)."""
    mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    inside = [line for line in mounts if f" {base}/" in line]
    if inside:
        raise AssertionError(f"still mounted under {base}:\n" + "\n".join(inside))
    shutil.rmtree(base, ignore_errors=True)


def build_systemd_tree(podman: Podman, rootfs: Path, workdir: Path) -> None:
    """Debian trixie with systemd, PostgreSQL, Redis, and the app installed
    from its wheel in a virtual environment at APP_PREFIX.

    Debian's own Redis and PostgreSQL units are left disabled: the test says
    what starts.
    """
    need("debootstrap")
    packages = ",".join(SYSTEMD_PACKAGES)
    debootstrap = ["debootstrap", "--variant=minbase", f"--include={packages}"]
    run([*debootstrap, DEBIAN_SUITE, rootfs, DEBIAN_MIRROR], timeout=900)
    units = rootfs / "etc/systemd/system"
    for unit in ("redis-server.service", "postgresql.service"):
        (units / "multi-user.target.wants" / unit).unlink(missing_ok=True)
    (units / "shared-root.service").write_text(SHARED_ROOT_UNIT)
    (units / "sysinit.target.wants").mkdir(exist_ok=True)
    (units / "sysinit.target.wants/shared-root.service").symlink_to(
        "../shared-root.service"
    )
    wheels = workdir / "wheels"
    _app_wheels(wheels)
    podman.run_script(
        rootfs,
        f"""
        python3 -m venv {APP_PREFIX}
        {APP_PREFIX}/bin/pip install --quiet --no-cache-dir \\
            --disable-pip-version-check --no-index --find-links /wheels sector-7g
        """,
        {"/wheels": wheels},
    )
    shutil.rmtree(wheels)


@dataclass(frozen=True)
class SystemdContainer:
    """A container whose PID 1 is systemd."""

    podman: Podman
    name: str

    def exec(
        self, *args: str, check: bool = True, timeout: float = 60, **kwargs: Any
    ) -> CompletedProcess[str]:
        interactive = ["--interactive"] if "input" in kwargs else []
        return self.podman(
            "exec",
            *interactive,
            self.name,
            *args,
            check=check,
            timeout=timeout,
            **kwargs,
        )

    def systemctl(
        self, *args: str, check: bool = True, timeout: float = 60
    ) -> CompletedProcess[str]:
        return self.exec("systemctl", "--no-pager", *args, check=check, timeout=timeout)

    def journal(self, *args: str) -> str:
        return self.exec("journalctl", "--no-pager", *args, timeout=60).stdout

    def main_pid(self, unit: str) -> int:
        return int(self.systemctl("show", "--value", "--property=MainPID", unit).stdout)


@contextmanager
def booted(
    podman: Podman, rootfs: Path, mounts: Sequence[str] = ()
) -> Generator[SystemdContainer]:
    """systemd booted from `rootfs` (`mounts` as podman's --volume values),
    until the boot is over; stopped and removed afterwards."""
    name = f"s7g-systemd-{uuid.uuid4().hex[:8]}"
    podman(
        "run",
        "--detach",
        f"--name={name}",
        "--systemd=always",
        # Without it, DynamicUser and mount sandboxing fail (226/NAMESPACE).
        "--cap-add=SYS_ADMIN",
        # PID 1 on a real host has it. Without it, PrivateUsers= with
        # ProtectProc=invisible fails (217/USER): the user namespace is set up
        # through /proc/PID, which hidepid hides from a root that cannot trace.
        "--cap-add=SYS_PTRACE",
        "--network=none",
        "--hostname=sector-7g-host",
        *[f"--volume={mount}" for mount in mounts],
        "--rootfs",
        rootfs,
        "/sbin/init",
    )
    container = SystemdContainer(podman, name)
    try:
        started = time.monotonic()
        # Until PID 1 listens, systemctl cannot connect and says nothing.
        while not (state := _boot_state(container)):
            if time.monotonic() - started > 120:
                raise AssertionError("systemd did not answer within 120 s")
            time.sleep(0.2)
        if state != "running":
            failed = container.systemctl("--failed", "--plain", "--no-legend").stdout
            units = [f"--unit={line.split()[0]}" for line in failed.splitlines()]
            journal = container.journal("--lines=100", *units) if units else ""
            raise AssertionError(f"the boot ended {state}:\n{failed}\n{journal}")
        print(f"\nsystemd booted in {time.monotonic() - started:.1f} s")
        yield container
    finally:
        podman("rm", "--force", "--time=20", name, check=False, timeout=60)


def _boot_state(container: SystemdContainer) -> str:
    """`systemctl is-system-running` once the boot is over, or ""."""
    return container.exec(
        "systemctl", "is-system-running", "--wait", check=False, timeout=120
    ).stdout.strip()
