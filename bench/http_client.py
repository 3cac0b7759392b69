"""A lean HTTP/1.1 load client: keep-alive connections, one request at a time
on each, nothing else.

httpx spends about a millisecond of CPU per request; on a small machine that
CPU is taken from the server being measured. This client spends a fraction
of that, so the figures describe the server rather than the client.
"""

import asyncio
import json
from collections.abc import Mapping
from typing import Any


class LoadClient:
    def __init__(self, host: str, port: int, headers: Mapping[str, str]) -> None:
        self.host = host
        self.port = port
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in headers.items())

    async def post_json_many(
        self, path: str, bodies: list[Any], connections: int
    ) -> None:
        """POST every body over `connections` keep-alive connections; raise on
        any status other than 2xx."""
        requests = [self._request("POST", path, json.dumps(b).encode()) for b in bodies]
        await self._send_all(requests, connections)

    async def get_many(self, path: str, count: int, connections: int) -> None:
        await self._send_all([self._request("GET", path, None)] * count, connections)

    def _request(self, method: str, path: str, payload: bytes | None) -> bytes:
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.headers}"
        if payload is None:
            return (head + "\r\n").encode()
        head += "Content-Type: application/json\r\n"
        return (head + f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload

    async def _send_all(self, requests: list[bytes], connections: int) -> None:
        pending = list(reversed(requests))
        await asyncio.gather(*(self._connection(pending) for _ in range(connections)))

    async def _connection(self, pending: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            while pending:
                writer.write(pending.pop())
                status = await _read_response(reader)
                if not 200 <= status < 300:
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
