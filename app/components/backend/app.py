"""The FastAPI application factory."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.components.backend.api.routing import add_routes
from app.components.backend.errors import install_error_handlers
from app.components.backend.metrics import HttpMetrics
from app.components.backend.middleware import (
    REQUEST_ID_HEADER,
    RequestContextMiddleware,
)
from app.components.backend.resources import lifespan_for
from app.components.backend.routes import RouteTemplates
from app.core.config import Settings


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="sector-7g",
        summary="The Springfield Nuclear Power Plant, Sector 7G.",
        version="0.1.0",
        lifespan=lifespan_for(settings),
        # Served by app.components.backend.api.docs, behind its access rule.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # The app reports through its Prometheus metrics and structlog lines
        # and configures no OpenTelemetry; switched on, FastAPI looks for a
        # global provider on every request (5% of /health/live's time).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.http_metrics = metrics = HttpMetrics()
    install_error_handlers(app)
    add_routes(app)
    # Listed innermost first: the request context wraps everything, CORS included.
    if settings.CORS_ORIGINS:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.CORS_ORIGINS,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
            expose_headers=[REQUEST_ID_HEADER],
        )
    app.add_middleware(
        RequestContextMiddleware, metrics=metrics, templates=RouteTemplates(app)
    )
    return app
