"""Alembic environment: the app's settings and metadata, one lock per migration."""

from alembic import context
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from app.core.config import load_settings
from app.models.tables import metadata

# Any constant works; it only has to be the same for every migrating process.
MIGRATION_LOCK_ID = 0x5EC7_0007


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave alone tables the app does not own (the scheduler's job store):
    autogenerate must never propose dropping them."""
    return not (type_ == "table" and reflected and compare_to is None)


def run_migrations() -> None:
    settings = context.config.attributes.get("settings") or load_settings()
    if context.is_offline_mode():
        context.configure(
            url=settings.database_url_sync.render_as_string(hide_password=True),
            target_metadata=metadata,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    engine = create_engine(settings.database_url_sync, poolclass=NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_object=include_object,
            compare_type=True,
        )
        with context.begin_transaction():
            # Two hosts migrating at once: the second waits, then finds
            # nothing left to do.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID}
            )
            context.run_migrations()
    engine.dispose()


run_migrations()
