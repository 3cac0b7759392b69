"""Group commit: concurrent callers' writes of one kind go out together.

When a write is submitted and none is in flight, it goes at once, alone; while
one is in flight, new writes gather and go together as soon as it returns. So
a lone write waits for nobody, and under load a process sends one statement
per batch instead of one per job. Each caller still awaits its own write and
gets its own result or error: a failing batch is retried item by item, so one
bad row fails only its own caller.
"""

import asyncio
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger(__name__)

# Large enough to absorb any burst a process produces; small enough to keep
# one statement's parameters reasonable.
MAX_BATCH = 500


class Batcher[Item, Result]:
    def __init__(
        self,
        run: Callable[[list[Item]], Awaitable[list[Result]]],
        *,
        max_batch: int = MAX_BATCH,
    ) -> None:
        """`run` writes a batch and returns one result per item, in order."""
        self._run = run
        self._max_batch = max_batch
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        # Shielded: a caller that is cancelled still has its write made.
        return await asyncio.shield(future)

    async def _flush(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            try:
                results = await self._run([item for item, _ in batch])
            except Exception as error:
                if len(batch) == 1:
                    _fail(batch[0][1], error)
                else:
                    log.warning(
                        "batched write failed; writing one by one", exc_info=True
                    )
                    await self._one_by_one(batch)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                _resolve(future, result)

    async def _one_by_one(
        self, batch: list[tuple[Item, asyncio.Future[Result]]]
    ) -> None:
        for item, future in batch:
            try:
                (result,) = await self._run([item])
            except Exception as error:
                _fail(future, error)
            else:
                _resolve(future, result)


def _resolve[R](future: asyncio.Future[R], result: R) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future, error: Exception) -> None:
    if not future.done():
        future.set_exception(error)
