"""The seven components as the dashboard names and shows them."""

from dataclasses import dataclass

import flet as ft

from app.services.health.tree import Component


@dataclass(frozen=True)
class Kind:
    key: str  # its name in the health tree
    title: str
    icon: ft.IconData

    def subtitle(self, component: Component | None) -> str:
        """The technology, with its version when the health tree knows it."""
        meta = component.metadata if component is not None else {}
        match self.key:
            case "backend":
                return "FastAPI + Flet"
            case "database":
                return f"PostgreSQL {meta.get('short_version', '').split(' ')[0]}"
            case "cache":
                return f"Redis {meta.get('version', '')}"
            case "worker":
                return f"arq {meta.get('arq_version', '')}"
            case "scheduler":
                return "APScheduler"
            case "auth":
                return f"JWT {meta.get('algorithm', '')}"
            case _:
                version = meta.get("version")
                return f"Traefik {version}" if version else "Traefik"


KINDS = (
    Kind("backend", "Server", ft.Icons.DNS),
    Kind("database", "Database", ft.Icons.STORAGE),
    Kind("cache", "Cache", ft.Icons.BOLT),
    Kind("worker", "Worker", ft.Icons.ENGINEERING),
    Kind("scheduler", "Scheduler", ft.Icons.SCHEDULE),
    Kind("auth", "Auth", ft.Icons.LOCK),
    Kind("ingress", "Ingress", ft.Icons.ROUTER),
)
BY_KEY = {kind.key: kind for kind in KINDS}
