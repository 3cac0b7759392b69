"""Routes declared per module, as on an APIRouter, then added flat onto the app.

FastAPI 0.165 keeps an included APIRouter as one route of the app and matches
its routes twice per request: once to pick the router, once inside it. Under
wrk that was a tenth of `/api/v1/auth/me`'s time (py-spy). A `RouteTable`
records what the decorators were given; `add_to` hands each route, with its
full path, to `app.add_api_route`, so the app matches it once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from fastapi import FastAPI

type Endpoint = Callable[..., Any]


@dataclass(frozen=True)
class _Declared:
    path: str
    endpoint: Endpoint
    methods: list[str]
    options: dict[str, Any]


class RouteTable:
    """`prefix`, `tags` and `include_in_schema` apply to every route, as an
    APIRouter's do; each decorator takes `app.add_api_route`'s options."""

    def __init__(
        self,
        prefix: str = "",
        *,
        tags: list[str | Enum] | None = None,
        include_in_schema: bool = True,
    ) -> None:
        self.prefix = prefix
        self.tags = tags or []
        self.include_in_schema = include_in_schema
        self._declared: list[_Declared] = []

    def route(
        self, path: str, *, methods: list[str], **options: Any
    ) -> Callable[[Endpoint], Endpoint]:
        def declare(endpoint: Endpoint) -> Endpoint:
            self._declared.append(
                _Declared(self.prefix + path, endpoint, methods, options)
            )
            return endpoint

        return declare

    def get(self, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
        return self.route(path, methods=["GET"], **options)

    def post(self, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
        return self.route(path, methods=["POST"], **options)

    def patch(self, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
        return self.route(path, methods=["PATCH"], **options)

    def delete(self, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
        return self.route(path, methods=["DELETE"], **options)

    def add_to(self, app: FastAPI, prefix: str = "") -> None:
        """Every declared route onto `app`, in declaration order, under `prefix`."""
        for declared in self._declared:
            options = dict(declared.options)
            tags = [*self.tags, *options.pop("tags", [])]
            app.add_api_route(
                prefix + declared.path,
                declared.endpoint,
                methods=declared.methods,
                tags=tags or None,
                include_in_schema=self.include_in_schema
                and options.pop("include_in_schema", True),
                **options,
            )
