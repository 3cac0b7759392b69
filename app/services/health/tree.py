"""The health tree: statuses, and components that carry them.

A parent takes the worst status of its children. Only `unhealthy` makes the
system unhealthy: `warning` (Homer's designed failures, a queue without a
worker) and `info` (something not configured) are reported, not alarmed on.
"""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Status(StrEnum):
    HEALTHY = "healthy"
    INFO = "info"
    WARNING = "warning"
    UNHEALTHY = "unhealthy"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def code(self) -> int:
        """For Prometheus: 0 healthy, 1 info, 2 warning, 3 unhealthy."""
        return self.rank


_RANKS = {Status.HEALTHY: 0, Status.INFO: 1, Status.WARNING: 2, Status.UNHEALTHY: 3}


def worst(statuses: list[Status]) -> Status:
    return max(statuses, key=lambda status: status.rank, default=Status.HEALTHY)


def by_threshold(value: float, thresholds: tuple[float, float]) -> Status:
    """healthy below the first threshold, warning below the second, else
    unhealthy."""
    warning, unhealthy = thresholds
    if value >= unhealthy:
        return Status.UNHEALTHY
    if value >= warning:
        return Status.WARNING
    return Status.HEALTHY


class Component(BaseModel):
    status: Status
    message: str = ""
    response_time_ms: float | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    components: dict[str, "Component"] = Field(default_factory=dict)

    @classmethod
    def group(
        cls, components: dict[str, "Component"], message: str = "", **metadata: Any
    ) -> "Component":
        """A parent over `components`, as bad as its worst child."""
        status = worst([child.status for child in components.values()])
        return cls(
            status=status, message=message, metadata=metadata, components=components
        )
