"""The server itself: CPU, memory and disk of the host, against thresholds."""

import os
import platform
import time
from typing import Any

import psutil

from app.core.config import Settings
from app.services.health.tree import Component, Status, by_threshold


def _gib(value: float) -> float:
    return round(value / 2**30, 2)


def _measure(
    name: str, percent: float, thresholds: tuple[float, float], **more: Any
) -> Component:
    return Component(
        status=by_threshold(percent, thresholds),
        message=f"{name} at {percent:.0f}%",
        metadata={"percent_used": percent, "thresholds": list(thresholds), **more},
    )


def check_backend(settings: Settings, **introspection: Any) -> Component:
    """CPU (since the previous check), memory, and the disk holding backups."""
    memory = psutil.virtual_memory()
    disk_path = str(settings.BACKUP_DIR) if settings.BACKUP_DIR.exists() else "/"
    disk = psutil.disk_usage(disk_path)
    parts = {
        "cpu": _measure(
            "CPU",
            psutil.cpu_percent(interval=None),
            settings.HEALTH_CPU_PERCENT,
            cpu_count=os.cpu_count(),
        ),
        "memory": _measure(
            "memory",
            memory.percent,
            settings.HEALTH_MEMORY_PERCENT,
            total_gib=_gib(memory.total),
            available_gib=_gib(memory.available),
        ),
        "disk": _measure(
            "disk",
            disk.percent,
            settings.HEALTH_DISK_PERCENT,
            path=disk_path,
            total_gib=_gib(disk.total),
            free_gib=_gib(disk.free),
        ),
    }
    short = [part.message for part in parts.values() if part.status != Status.HEALTHY]
    return Component.group(
        parts,
        message="; ".join(short) if short else "resources within limits",
        python=platform.python_version(),
        pid=os.getpid(),
        uptime_s=round(time.time() - psutil.Process().create_time()),
        **introspection,
    )
