"""The scheduler's published jobs and its run history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, required: bool = False) -> sa.Column:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=not required,
        server_default=sa.func.now() if required else None,
    )


def upgrade() -> None:
    op.create_table(
        "scheduler_job",
        sa.Column("id", sa.String(length=100), primary_key=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("schedule", sa.String(length=200), nullable=False),
        _timestamp("next_run_at"),
        sa.Column("paused", sa.Boolean(), nullable=False),
        _timestamp("published_at", required=True),
    )
    op.create_table(
        "scheduler_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job_id", sa.String(length=100), nullable=False),
        _timestamp("scheduled_for", required=True),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("instance", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("result", JSONB(), nullable=True),
        sa.Column("error", sa.String(), nullable=True),
        _timestamp("started_at", required=True),
        _timestamp("finished_at"),
        sa.UniqueConstraint("job_id", "scheduled_for", name="uq_scheduler_run_time"),
    )
    op.create_index("ix_scheduler_run_started_at", "scheduler_run", ["started_at"])


def downgrade() -> None:
    op.drop_table("scheduler_run")
    op.drop_table("scheduler_job")
