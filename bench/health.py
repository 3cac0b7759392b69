"""Latency of /health/ against /health/live, 50 clients at once, one run.

/health/ runs every component check, but serves a computed tree again for
HEALTH_CACHE_SECONDS, so most requests cost little more than /health/live.

    uv run python -m bench.health [--requests 5000]
"""

import argparse
import asyncio
import statistics

from bench.common import Row, at_most, print_table, throwaway_servers
from bench.http_client import LoadClient

CLIENTS = 50


def _p50_ms(latencies: list[float]) -> float:
    return statistics.median(latencies) * 1000


def measure(requests: int) -> list[Row]:
    print(f"health: {requests} requests per endpoint, {CLIENTS} clients at once")
    with throwaway_servers() as servers, servers.webserver() as webserver:
        # No scheduler or worker runs here: /health/ answers 503, as fast.
        client = LoadClient(
            "127.0.0.1", webserver.port, {}, expected=frozenset({200, 503})
        )
        # Warm both paths (first tree, first route lookups) before timing.
        asyncio.run(client.get_many("/health/", 100, CLIENTS))
        asyncio.run(client.get_many("/health/live", 100, CLIENTS))
        live = asyncio.run(client.get_many("/health/live", requests, CLIENTS))
        health = asyncio.run(client.get_many("/health/", requests, CLIENTS))
    return [
        at_most(
            "p50 ms, /health/ vs /health/live", _p50_ms(health), _p50_ms(live), "ms", 3
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description="/health/ latency against /health/live."
    )
    parser.add_argument("--requests", type=int, default=5000)
    print_table(measure(parser.parse_args().requests))


if __name__ == "__main__":
    main()
