"""The processes' heartbeats in Redis, read with a synchronous client: for
`sector-7g up`'s readiness checks and the containers' health probes.

The scheduler beats on the leader key (or a standby key of its own), each
worker on a key per worker; every beat names the host and the process id.
"""

import json
from collections.abc import Iterator
from typing import Any

import redis

from app.services.scheduler import control
from app.services.tasks import keys


def heartbeat(client: redis.Redis, key: str | bytes) -> dict[str, Any] | None:
    """A process's last heartbeat, or None once it has expired."""
    raw = client.get(key)
    return json.loads(raw) if isinstance(raw, str | bytes) else None


def scheduler_beats(client: redis.Redis) -> Iterator[dict[str, Any]]:
    """The leader's beat and the standbys'."""
    standbys = client.scan_iter(control.standby_key("*"))
    for key in [control.LEADER, *standbys]:
        if (beat := heartbeat(client, key)) is not None:
            yield beat


def worker_beats(client: redis.Redis, queue: str) -> Iterator[dict[str, Any]]:
    for key in client.scan_iter(keys.worker_alive_pattern(queue)):
        if (beat := heartbeat(client, key)) is not None:
            yield beat
