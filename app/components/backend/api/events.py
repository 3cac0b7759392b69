"""`/api/v1/events/stream`: live job and worker events as server-sent events."""

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated

from fastapi import Depends, Header
from fastapi.sse import EventSourceResponse, ServerSentEvent

from app.components.backend.api.deps import CurrentUser, ResourcesDep
from app.components.backend.api.route_table import RouteTable
from app.components.backend.errors import ApiError
from app.components.backend.event_hub import HubFullError, Subscription, stream_id_key

routes = RouteTable("/events", tags=["events"])


async def event_subscription(
    resources: ResourcesDep,
    user: CurrentUser,
    last_event_id: Annotated[str | None, Header()] = None,
) -> AsyncGenerator[Subscription]:
    """A place among the live-event subscribers; 503 when all are taken."""
    if last_event_id is not None:
        try:
            stream_id_key(last_event_id)
        except ValueError:
            raise ApiError(400, "Last-Event-ID is not an event id") from None
    try:
        subscription = resources.event_hub.subscribe(last_event_id)
    except HubFullError:
        raise ApiError(503, "Too many live-event clients; try again later") from None
    try:
        yield subscription
    finally:
        subscription.close()


@routes.get("/stream", response_class=EventSourceResponse)
async def stream(
    subscription: Annotated[Subscription, Depends(event_subscription)],
) -> AsyncIterator[ServerSentEvent]:
    """Job and worker events as they happen; resumes after Last-Event-ID."""
    async for entry in subscription.entries():
        yield ServerSentEvent(data=entry.data, id=entry.id, event=entry.data["type"])
