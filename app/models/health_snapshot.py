"""Health snapshots: the plant's state at a moment, kept for trends."""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class HealthSnapshot(SQLModel, table=True):
    """What the plant looked like at a moment: recorded by the maintenance task."""

    __tablename__ = "health_snapshot"  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    taken_at: datetime | None = Field(
        default=None,
        sa_column=Column(
            DateTime(timezone=True),
            nullable=False,
            server_default=func.now(),
            index=True,
        ),
    )
    status: str = Field(max_length=16)
    payload: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False)
    )
