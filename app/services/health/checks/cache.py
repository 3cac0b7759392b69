"""Redis: reachable, its version, memory, hit ratio, load and clients."""

from redis.asyncio import Redis

from app.services.health.tree import Component, Status

# Policies that may delete keys under memory pressure: queued jobs among them.
EVICTING = ("allkeys-", "volatile-")


async def check_cache(redis: Redis) -> Component:
    info = await redis.info()
    hits, misses = info.get("keyspace_hits", 0), info.get("keyspace_misses", 0)
    policy = str(info.get("maxmemory_policy", ""))
    status, message = Status.HEALTHY, f"Redis {info['redis_version']}"
    if policy.startswith(EVICTING):
        status = Status.WARNING
        message += f"; maxmemory-policy {policy} may evict queued jobs"
    return Component(
        status=status,
        message=message,
        metadata={
            "version": info["redis_version"],
            "uptime_s": info.get("uptime_in_seconds"),
            "used_memory_bytes": info.get("used_memory"),
            "max_memory_bytes": info.get("maxmemory"),
            "maxmemory_policy": policy,
            "hit_ratio": round(hits / (hits + misses), 3) if hits + misses else None,
            "ops_per_s": info.get("instantaneous_ops_per_sec"),
            "connected_clients": info.get("connected_clients"),
            "blocked_clients": info.get("blocked_clients"),
            "total_keys": sum(
                value.get("keys", 0)
                for key, value in info.items()
                if key.startswith("db") and isinstance(value, dict)
            ),
            "append_only": bool(info.get("aof_enabled")),
        },
    )
