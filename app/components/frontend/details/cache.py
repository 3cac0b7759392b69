"""Cache detail: Redis as its health check saw it, and its slowest commands."""

from datetime import UTC, datetime

import flet as ft

from app.components.frontend import format
from app.components.frontend.context import DashboardContext
from app.components.frontend.widgets import detail_page, muted, overview, section, table
from app.core.redis import reply

SLOWLOG_SHOWN = 10


class CacheDetail:
    def __init__(self, context: DashboardContext) -> None:
        self.context = context
        self.summary = ft.Column()
        self.slowlog = ft.Column()
        self.control = detail_page(
            self.summary, section("Slowest recent commands", self.slowlog)
        )

    async def refresh(self) -> None:
        component = (await self.context.report()).root.components.get("cache")
        if component is not None:
            meta = component.metadata
            limit = meta.get("max_memory_bytes")
            self.summary.controls = [
                overview(
                    component.status,
                    component.message,
                    ("Hit ratio", format.percent(_percent(meta.get("hit_ratio")))),
                    ("Ops/s", str(meta.get("ops_per_s", "-"))),
                    ("Memory", format.size(meta.get("used_memory_bytes"))),
                    ("Limit", format.size(limit) if limit else "none"),
                    ("Policy", str(meta.get("maxmemory_policy", "-"))),
                    ("Keys", str(meta.get("total_keys", "-"))),
                    ("Clients", str(meta.get("connected_clients", "-"))),
                    ("Uptime", format.span(meta.get("uptime_s"))),
                    ("AOF", "on" if meta.get("append_only") else "off"),
                )
            ]
        entries = await reply(self.context.resources.redis.slowlog_get(SLOWLOG_SHOWN))
        # Only the command's name: its arguments may carry job data.
        self.slowlog.controls = [
            table(
                ["When", "Took", "Command"],
                [
                    [
                        format.relative(
                            datetime.fromtimestamp(entry["start_time"], UTC)
                        ),
                        f"{entry['duration'] / 1000:.1f} ms",
                        _command_name(entry["command"]),
                    ]
                    for entry in entries
                ],
                identifier="cache-slowlog",
            )
            if entries
            else muted("No slow commands recorded.")
        ]

    def on_pulse(self) -> None:
        """Nothing here moves with job events."""


def _command_name(command: bytes | str) -> str:
    text = command.decode(errors="replace") if isinstance(command, bytes) else command
    return text.split(" ", 1)[0].upper()


def _percent(ratio: float | None) -> float | None:
    return None if ratio is None else 100 * ratio
