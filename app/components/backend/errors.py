"""One JSON shape for every error response.

    {"error": {"code": "not_found", "message": "User not found",
               "request_id": "...", "fields": [...]}}

`fields` appears on validation errors only and names each offending field.
"""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

# PostgreSQL's refusals of text it cannot store: a NUL character (22021), or
# `\u0000` in JSON (22P05). The client sent it; nothing else is wrong.
UNSTORABLE_TEXT = frozenset({"22021", "22P05"})

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error a client caused or must hear about, with its HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or ERROR_CODES.get(status, "error")
        self.headers = headers


def unauthorized(message: str = "Not authenticated") -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": "Bearer"})


def error_response(
    status: int,
    message: str,
    *,
    request_id: str | None,
    code: str | None = None,
    fields: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    error: dict[str, Any] = {
        "code": code or ERROR_CODES.get(status, "error"),
        "message": message,
        "request_id": request_id,
    }
    if fields is not None:
        error["fields"] = fields
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def request_id_of(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


async def handle_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(
        exc.status,
        exc.message,
        code=exc.code,
        request_id=request_id_of(request),
        headers=exc.headers,
    )


async def handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else None
    return error_response(
        exc.status_code,
        message or HTTPStatus(exc.status_code).phrase,
        request_id=request_id_of(request),
        headers=exc.headers,
    )


async def handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {
            "field": ".".join(str(part) for part in error["loc"]),
            "message": error["msg"],
        }
        for error in exc.errors()
    ]
    names = ", ".join(field["field"] for field in fields)
    return error_response(
        422,
        f"Invalid request: {names}",
        request_id=request_id_of(request),
        fields=fields,
    )


async def handle_database_error(request: Request, exc: Exception) -> JSONResponse:
    """Text PostgreSQL cannot store is the client's error (400); any other
    database error stays a server error."""
    if _sqlstate(exc) not in UNSTORABLE_TEXT:
        raise exc
    return error_response(
        400,
        "Text with a NUL character cannot be stored",
        request_id=request_id_of(request),
    )


def _sqlstate(exc: Exception) -> str | None:
    """The SQLSTATE: asyncpg's own (the job history), or that of the driver's
    error behind SQLAlchemy's (psycopg's or asyncpg's)."""
    orig = getattr(exc, "orig", None)
    for error in (exc, orig, getattr(orig, "__cause__", None)):
        if (state := getattr(error, "sqlstate", None)) is not None:
            return state
    return None


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, handle_api_error)
    app.add_exception_handler(DBAPIError, handle_database_error)
    app.add_exception_handler(asyncpg.PostgresError, handle_database_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
