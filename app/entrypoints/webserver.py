"""The webserver process: uvicorn serving the app built from the settings."""

import uvicorn
from fastapi import FastAPI

from app.components.backend.app import create_app
from app.core.config import Settings, get_settings
from app.core.log import configure_logging
from app.integrations.dashboard import mount_dashboard

# Long enough for in-flight requests; short enough that a stuck websocket
# cannot hold a shutdown forever.
GRACEFUL_SHUTDOWN_S = 10


def build_app(settings: Settings | None = None) -> FastAPI:
    """Factory for `uvicorn --factory app.entrypoints.webserver:build_app`."""
    settings = settings or get_settings()
    configure_logging(json=settings.log_json, level=settings.LOG_LEVEL)
    app = create_app(settings)
    mount_dashboard(app)
    return app


def run(settings: Settings) -> None:
    uvicorn.run(
        build_app(settings),
        host=settings.HOST,
        port=settings.PORT,
        proxy_headers=True,
        forwarded_allow_ips=settings.FORWARDED_ALLOW_IPS,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        log_config=None,
        access_log=False,
        server_header=False,
    )
