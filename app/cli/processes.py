"""Process entry points: what a unit, a container or `sector-7g up` runs."""

from app.core.config import load_settings


def webserver() -> None:
    """Serve the API and the dashboard with uvicorn (HOST, PORT)."""
    settings = load_settings()  # a bad configuration stops here, in one line
    from app.entrypoints.webserver import run

    run(settings)
