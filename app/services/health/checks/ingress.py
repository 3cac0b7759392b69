"""Traefik, through its API: reachable, its routers, services and entry points."""

import asyncio

import httpx

from app.services.health.tree import Component, Status

SHOWN_ROUTERS = 10


async def check_ingress(http: httpx.AsyncClient, api_url: str | None) -> Component:
    if not api_url:
        return Component(status=Status.INFO, message="Traefik API not configured")
    base = api_url.rstrip("/")
    ping, version, routers, services, entrypoints = await asyncio.gather(
        http.get(f"{base}/ping"),
        http.get(f"{base}/api/version"),
        http.get(f"{base}/api/http/routers"),
        http.get(f"{base}/api/http/services"),
        http.get(f"{base}/api/entrypoints"),
    )
    for response in (ping, version, routers, services, entrypoints):
        response.raise_for_status()
    router_list = routers.json()
    enabled = [r for r in router_list if r.get("status") == "enabled"]
    status = Status.HEALTHY if enabled else Status.WARNING
    release = version.json().get("Version", "?")
    counted = f"{len(enabled)} of {len(router_list)} routers enabled"
    return Component(
        status=status,
        message=f"Traefik {release}, {counted}",
        metadata={
            "version": release,
            "routers": len(router_list),
            "routers_enabled": len(enabled),
            "services": len(services.json()),
            "entrypoints": [
                {"name": e.get("name"), "address": e.get("address")}
                for e in entrypoints.json()
            ],
            "router_list": [
                {key: r.get(key) for key in ("name", "rule", "service", "status")}
                for r in router_list[:SHOWN_ROUTERS]
            ],
        },
    )
