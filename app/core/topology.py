"""The process table (`app/topology.toml`), loaded and validated.

The file is the one source of the app's processes and their numbers; the Nix
module and the Compose file read the same file. Per-queue environment
overrides (`WORKER_<QUEUE>_MAX_JOBS`, `..._JOB_TIMEOUT_S`,
`..._HEARTBEAT_INTERVAL_S`) let a deployment tune a queue without code.
"""

import tomllib
from collections.abc import Mapping
from importlib.resources import files
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

QueueName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
# Environment variables a deployment may set per queue, and the field each sets.
QUEUE_OVERRIDES = {
    "MAX_JOBS": "max_jobs",
    "JOB_TIMEOUT_S": "job_timeout_s",
    "HEARTBEAT_INTERVAL_S": "heartbeat_interval_s",
}


class TopologyError(Exception):
    """The process table or an override is invalid; the message says where."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ResourceBudget(_Strict):
    memory_max_mib: int = Field(gt=0)
    cpu_quota_percent: int = Field(gt=0, le=6400)


class WebserverSpec(ResourceBudget):
    description: str
    port: int = Field(ge=1, le=65535)


class SchedulerSpec(ResourceBudget):
    description: str
    heartbeat_interval_s: float = Field(gt=0)


class WorkersSpec(_Strict):
    poll_delay_s: float = Field(gt=0, le=5)
    retry_backoff_s: float = Field(ge=0)


class QueueSpec(ResourceBudget):
    name: QueueName
    description: str
    max_jobs: int = Field(ge=1)
    job_timeout_s: int = Field(ge=1)
    max_tries: int = Field(ge=1)
    heartbeat_interval_s: float = Field(gt=0)
    shutdown_grace_s: int = Field(ge=0)

    @property
    def redis_key(self) -> str:
        """The arq queue (a Redis sorted set) this queue's jobs wait in."""
        return f"arq:queue:{self.name}"

    @property
    def service_name(self) -> str:
        """`worker-inanimate-rod`: the process's name in Compose and systemd."""
        return "worker-" + self.name.replace("_", "-")


class Topology(_Strict):
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


def parse_topology(text: str, environ: Mapping[str, str] | None = None) -> Topology:
    """Validate the table's TOML text, with per-queue overrides from `environ`."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TopologyError(f"topology.toml: {error}") from None
    overridden: dict[tuple[str, ...], str] = {}
    for name, queue in raw.get("queues", {}).items():
        queue["name"] = name
        for suffix, field in QUEUE_OVERRIDES.items():
            variable = f"WORKER_{name.upper()}_{suffix}"
            if environ and (value := environ.get(variable)):
                queue[field] = value
                overridden[("queues", name, field)] = variable
    try:
        return Topology.model_validate(raw)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            location = tuple(map(str, item["loc"]))
            where = overridden.get(location) or "topology.toml " + ".".join(location)
            problems.append(f"{where}: {item['msg']}")
        raise TopologyError("; ".join(problems)) from None


def load_topology(environ: Mapping[str, str] | None = None) -> Topology:
    """The table shipped in the package, with overrides from `environ` if given."""
    text = files("app").joinpath("topology.toml").read_text(encoding="utf-8")
    return parse_topology(text, environ)
