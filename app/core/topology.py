"""The process table (`app/topology.toml`), loaded and validated.

The file is the one source of the app's processes and their numbers; the Nix
module and the Compose file read the same file. Per-queue environment
overrides (`WORKER_<QUEUE>_MAX_JOBS`, `..._JOB_TIMEOUT_S`,
`..._HEARTBEAT_INTERVAL_S`) let a deployment tune a queue without code.
"""

import re
import tomllib
from collections.abc import Mapping
from importlib.resources import files
from typing import Annotated

import msgspec
from msgspec import Meta

QueueName = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]*$")]
# Environment variables a deployment may set per queue, and the field each sets.
QUEUE_OVERRIDES = {
    "MAX_JOBS": "max_jobs",
    "JOB_TIMEOUT_S": "job_timeout_s",
    "HEARTBEAT_INTERVAL_S": "heartbeat_interval_s",
}


class TopologyError(Exception):
    """The process table or an override is invalid; the message says where."""


class _Strict(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A table section: every field required, no unknown field allowed."""


class ResourceBudget(_Strict, frozen=True):
    memory_max_mib: Annotated[int, Meta(gt=0)]
    cpu_quota_percent: Annotated[int, Meta(gt=0, le=6400)]


class WebserverSpec(ResourceBudget, frozen=True):
    description: str
    port: Annotated[int, Meta(ge=1, le=65535)]


class SchedulerSpec(ResourceBudget, frozen=True):
    description: str
    heartbeat_interval_s: Annotated[float, Meta(gt=0)]


class WorkersSpec(_Strict, frozen=True):
    poll_delay_s: Annotated[float, Meta(gt=0, le=5)]
    retry_backoff_s: Annotated[float, Meta(ge=0)]


class QueueSpec(ResourceBudget, frozen=True):
    name: QueueName
    description: str
    max_jobs: Annotated[int, Meta(ge=1)]
    job_timeout_s: Annotated[int, Meta(ge=1)]
    max_tries: Annotated[int, Meta(ge=1)]
    heartbeat_interval_s: Annotated[float, Meta(gt=0)]
    shutdown_grace_s: Annotated[int, Meta(ge=0)]

    @property
    def redis_key(self) -> str:
        """The arq queue (a Redis sorted set) this queue's jobs wait in."""
        return f"arq:queue:{self.name}"

    @property
    def service_name(self) -> str:
        """`worker-inanimate-rod`: the process's name in Compose and systemd."""
        return "worker-" + self.name.replace("_", "-")


class Topology(_Strict, frozen=True):
    webserver: WebserverSpec
    scheduler: SchedulerSpec
    workers: WorkersSpec
    queues: dict[QueueName, QueueSpec]

    def queue(self, name: str) -> QueueSpec:
        try:
            return self.queues[name]
        except KeyError:
            known = ", ".join(self.queues)
            raise TopologyError(f"unknown queue {name!r} (queues: {known})") from None


# Where msgspec says a problem is: "Expected `int` >= 1 - at `$.queues.homer`".
_LOCATION = re.compile(r"^(?P<message>.*?)(?: - at `\$\.(?P<path>[^`]*)`)?$")


def parse_topology(text: str, environ: Mapping[str, str] | None = None) -> Topology:
    """Validate the table's TOML text, with per-queue overrides from `environ`.

    The first problem found is reported, naming the field or the variable."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TopologyError(f"topology.toml: {error}") from None
    queues = raw.get("queues", {})
    _apply_queue_overrides(queues, environ or {})
    if isinstance(queues, dict):  # each on its own, so that errors name the queue
        raw["queues"] = {
            name: _convert(queue, QueueSpec, f"queues.{name}")
            for name, queue in queues.items()
        }
    return _convert(raw, Topology, "")


def _convert[T](raw: object, kind: type[T], where: str) -> T:
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError as error:
        found = _LOCATION.match(str(error))
        message = found["message"] if found else str(error)
        path = ".".join(p for p in (where, found and found["path"]) if p) or "(top)"
        raise TopologyError(f"topology.toml {path}: {message}") from None


def _apply_queue_overrides(queues: object, environ: Mapping[str, str]) -> None:
    """Set each queue's name, and the values its variables override, in place."""
    if not isinstance(queues, dict):
        return  # reported by the conversion
    types = {f.name: f.type for f in msgspec.structs.fields(QueueSpec)}
    for name, queue in queues.items():
        if not isinstance(queue, dict):
            continue
        queue["name"] = name
        for suffix, field in QUEUE_OVERRIDES.items():
            variable = f"WORKER_{name.upper()}_{suffix}"
            if value := environ.get(variable):
                try:  # text, read as the field's type and limits
                    queue[field] = msgspec.convert(value, types[field], strict=False)
                except msgspec.ValidationError as error:
                    raise TopologyError(f"{variable}: {error}") from None


def load_topology(environ: Mapping[str, str] | None = None) -> Topology:
    """The table shipped in the package, with overrides from `environ` if given."""
    text = files("app").joinpath("topology.toml").read_text(encoding="utf-8")
    return parse_topology(text, environ)
