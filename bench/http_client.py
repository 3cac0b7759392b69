"""A lean HTTP/1.1 load client: keep-alive connections, one request at a time
on each, nothing else.

httpx spends about a millisecond of CPU per request; on a small machine that
CPU is taken from the server being measured. This client spends a fraction
of that, so the figures describe the server rather than the client.
"""

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any


class LoadClient:
    def __init__(
        self,
        host: str,
        port: int,
        headers: Mapping[str, str],
        *,
        expected: frozenset[int] = frozenset(range(200, 300)),
    ) -> None:
        """`expected`: the statuses that count as answers; any other raises."""
        self.host = host
        self.port = port
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.expected = expected

    async def post_json_many(
        self, path: str, bodies: list[Any], connections: int
    ) -> list[float]:
        """POST every body over `connections` keep-alive connections. The
        latency of each request, in seconds."""
        requests = [self._request("POST", path, json.dumps(b).encode()) for b in bodies]
        return await self._send_all(requests, connections)

    async def get_many(self, path: str, count: int, connections: int) -> list[float]:
        request = self._request("GET", path, None)
        return await self._send_all([request] * count, connections)

    def _request(self, method: str, path: str, payload: bytes | None) -> bytes:
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.headers}"
        if payload is None:
            return (head + "\r\n").encode()
        head += "Content-Type: application/json\r\n"
        return (head + f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload

    async def _send_all(self, requests: list[bytes], connections: int) -> list[float]:
        pending = list(reversed(requests))
        latencies: list[float] = []
        await asyncio.gather(
            *(self._connection(pending, latencies) for _ in range(connections))
        )
        return latencies

    async def _connection(self, pending: list[bytes], latencies: list[float]) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            while pending:
                started = time.perf_counter()
                writer.write(pending.pop())
                status = await _read_response(reader)
                latencies.append(time.perf_counter() - started)
                if status not in self.expected:
                    raise RuntimeError(f"the server answered {status}")
        finally:
            writer.close()


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status
