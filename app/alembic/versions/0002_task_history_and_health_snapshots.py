"""Task history and health snapshots.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "'enqueued', 'running', 'retrying', 'completed', 'failed', 'cancelled'"


def _timestamp(name: str, *, required: bool = False) -> sa.Column:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=not required,
        server_default=sa.func.now() if required else None,
    )


def upgrade() -> None:
    op.create_table(
        "task_history",
        sa.Column("id", sa.String(length=64), primary_key=True),
        sa.Column("task", sa.String(length=100), nullable=False),
        sa.Column("queue", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("enqueued_by", sa.Integer(), nullable=True),
        sa.Column(
            "kwargs", JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")
        ),
        sa.Column("result", JSONB(), nullable=True),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        _timestamp("enqueued_at", required=True),
        _timestamp("started_at"),
        _timestamp("finished_at"),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="ck_task_history_status"),
    )
    op.create_index("ix_task_history_enqueued_at", "task_history", ["enqueued_at"])
    op.create_index("ix_task_history_finished_at", "task_history", ["finished_at"])
    op.create_index(
        "ix_task_history_queue_enqueued_at", "task_history", ["queue", "enqueued_at"]
    )
    op.create_index(
        "ix_task_history_status_enqueued_at", "task_history", ["status", "enqueued_at"]
    )

    op.create_table(
        "health_snapshot",
        sa.Column("id", sa.Integer(), primary_key=True),
        _timestamp("taken_at", required=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payload", JSONB(), nullable=False),
    )
    op.create_index("ix_health_snapshot_taken_at", "health_snapshot", ["taken_at"])


def downgrade() -> None:
    op.drop_table("health_snapshot")
    op.drop_table("task_history")
