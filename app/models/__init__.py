"""SQLModel tables, one module each; importing one imports only its own.

`app.models.tables` gathers them all for Alembic and the tests."""
