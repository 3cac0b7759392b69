"""Group commit: one write per batch, each caller its own result or error."""

import asyncio

from app.core.batching import Batcher


async def test_concurrent_submissions_share_a_batch_after_the_first() -> None:
    batches: list[list[int]] = []

    async def run(items: list[int]) -> list[int]:
        batches.append(items)
        await asyncio.sleep(0.01)
        return [item * 10 for item in items]

    batcher = Batcher(run)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(6)))
    assert results == [0, 10, 20, 30, 40, 50]
    assert batches == [[0, 1, 2, 3, 4, 5]]  # submitted in one tick: one batch


async def test_writes_arriving_during_a_batch_go_in_the_next_one() -> None:
    batches: list[list[str]] = []

    async def run(items: list[str]) -> list[None]:
        batches.append(items)
        await asyncio.sleep(0.02)
        return [None] * len(items)

    batcher = Batcher(run)
    first = asyncio.create_task(batcher.submit("a"))
    await asyncio.sleep(0.005)
    await asyncio.gather(batcher.submit("b"), batcher.submit("c"), first)
    assert batches == [["a"], ["b", "c"]]


async def test_a_bad_item_fails_alone() -> None:
    async def run(items: list[int]) -> list[int]:
        if -1 in items:
            raise ValueError("bad row")
        return items

    batcher = Batcher(run)
    results = await asyncio.gather(
        batcher.submit(1), batcher.submit(-1), batcher.submit(2), return_exceptions=True
    )
    assert results[0] == 1 and results[2] == 2
    assert isinstance(results[1], ValueError)


async def test_a_cancelled_caller_still_has_its_write_made() -> None:
    written: list[int] = []

    async def run(items: list[int]) -> list[None]:
        await asyncio.sleep(0.02)
        written.extend(items)
        return [None] * len(items)

    batcher = Batcher(run)
    task = asyncio.create_task(batcher.submit(7))
    await asyncio.sleep(0.005)
    task.cancel()
    await asyncio.sleep(0.05)
    assert written == [7]
