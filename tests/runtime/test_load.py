"""200 concurrent jobs through one client, sync (threads) and async (gather): every
result belongs to its own inputs and none is lost."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from gradio_codegen_runtime import AsyncClient, Client

N = 200


def expected(i: int) -> str:
    return f"{i}+{i * 7}={i * 8}"


def test_200_concurrent_sync_calls(calls_url: str) -> None:
    with Client(calls_url) as app:
        app.predict("/add", 0, 0)  # discovery once, outside the race
        before = threading.active_count()
        with ThreadPoolExecutor(max_workers=50) as pool:
            results = list(pool.map(lambda i: app.predict("/add", i, i * 7), range(N)))
        assert results == [expected(i) for i in range(N)]
        # Jobs submitted back to back from one thread, collected afterwards.
        jobs = [app.submit("/add", i, b=i * 7) for i in range(N)]
        assert [job.result(timeout=120) for job in jobs] == [expected(i) for i in range(N)]
        assert all(job.status().stage == "complete" for job in jobs)
        assert len({job.event_id for job in jobs}) == N
        # No thread per call: at most the session's one stream reader remains.
        assert threading.active_count() <= before + 1


def test_200_concurrent_async_calls(calls_url: str) -> None:
    async def run() -> list[str]:
        async with AsyncClient(calls_url) as app:
            await app.predict("/add", 0, 0)
            tasks = [app.predict("/add", i, i * 7) for i in range(N)]
            return list(await asyncio.gather(*tasks))

    assert asyncio.run(run()) == [expected(i) for i in range(N)]
