"""`/metrics`: Prometheus' text format; behind METRICS_TOKEN when one is set."""

import secrets
from typing import Annotated

from fastapi import Header, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from app.components.backend.api.deps import ResourcesDep
from app.components.backend.api.route_table import RouteTable
from app.components.backend.errors import ApiError
from app.components.backend.metrics import exposition

routes = RouteTable(include_in_schema=False)


@routes.get("/metrics")
async def metrics(
    request: Request,
    resources: ResourcesDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    token = resources.settings.METRICS_TOKEN
    if token is not None:
        expected = f"Bearer {token.get_secret_value()}".encode()
        if not secrets.compare_digest((authorization or "").encode(), expected):
            raise ApiError(
                401,
                "Metrics need the metrics token",
                headers={"WWW-Authenticate": "Bearer"},
            )
    report = await resources.health.report()
    body = exposition(request.app.state.http_metrics, report)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
