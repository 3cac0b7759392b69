"""The OpenAPI schema and Swagger UI, behind HTTP Basic auth when configured.

With DOCS_PASSWORD set, both need it; without it they are open in dev and
not served in prod.
"""

import base64
import binascii
import secrets

from fastapi import Depends, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from app.components.backend.api.deps import SettingsDep
from app.components.backend.api.route_table import RouteTable
from app.components.backend.errors import ApiError

routes = RouteTable(include_in_schema=False)


async def require_docs_access(request: Request, settings: SettingsDep) -> None:
    password = settings.DOCS_PASSWORD
    if password is None:
        if settings.is_prod:
            raise ApiError(404, "Not Found")
        return
    credentials = basic_credentials(request.headers.get("Authorization", ""))
    if credentials is None or not (
        _same(credentials[0], settings.DOCS_USERNAME)
        & _same(credentials[1], password.get_secret_value())
    ):
        raise ApiError(
            401, "Documentation needs a login", headers={"WWW-Authenticate": "Basic"}
        )


def basic_credentials(header: str) -> tuple[str, str] | None:
    """User and password from a Basic Authorization header, read as UTF-8 (as
    browsers send it; FastAPI's HTTPBasic accepts ASCII only)."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, password = decoded.partition(":")
    return (user, password) if colon else None


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also takes non-ASCII text."""
    return secrets.compare_digest(given.encode(), expected.encode())


DocsAccess = Depends(require_docs_access)


@routes.get("/openapi.json", dependencies=[DocsAccess])
async def openapi_schema(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@routes.get("/docs", dependencies=[DocsAccess])
async def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="openapi.json", title="sector-7g API")
