"""Jobs: generator updates with every diff kind, status stages, progress and logs,
callbacks, result timeouts and cancelling queued, running and streaming jobs."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any, Callable

import pytest

from gradio_codegen_runtime import (
    AsyncClient,
    AsyncJob,
    CancelledError,
    Client,
    Job,
    STREAM_READ_TIMEOUT,
    JobTimeoutError,
    Status,
)

WAIT = 60.0
DIFF_STEPS = [
    ("a", [1, 2, 3], {"a": 1, "b": 2}),
    ("ab", [1, 2, 3, 4], {"a": 1, "b": 2, "c": 3}),
    ("xyz", [1, 9, 3, 4], {"a": 1, "c": 3}),
    ("xyz!", [1, 9], {"a": [1], "c": "s"}),
    ("xyz!?", [1, 9, "t"], {"a": [1, 2], "c": "st"}),
    ("xyz!?", [1, 9, "tu"], {"a": [2], "c": "st", "d": {"k": "v"}}),
]


def wait_status(job: Job[Any], check: Callable[[Status], bool]) -> Status:
    """Block until a status of ``job`` satisfies ``check`` (callbacks replay the past)."""
    seen = threading.Event()
    hit: list[Status] = []

    def on_status(status: Status) -> None:
        if check(status) and not seen.is_set():
            hit.append(status)
            seen.set()

    job.on("status", on_status)
    assert seen.wait(WAIT), f"status never matched; last: {job.status()}"
    return hit[0]


async def await_status(job: AsyncJob[Any], check: Callable[[Status], bool]) -> Status:
    seen = asyncio.Event()
    hit: list[Status] = []

    def on_status(status: Status) -> None:
        if check(status) and not seen.is_set():
            hit.append(status)
            seen.set()

    job.on("status", on_status)
    await asyncio.wait_for(seen.wait(), WAIT)
    return hit[0]


def started(status: Status) -> bool:
    return status.code == "process_starts"


def test_generator_updates_apply_every_diff_kind(calls_url: str) -> None:
    with Client(calls_url) as app:
        job = app.submit("/diffs", 6)
        data: list[Any] = []
        stages: list[str] = []
        job.on("data", data.append).on("status", lambda s: stages.append(s.stage))
        assert list(job) == DIFF_STEPS
        assert job.result(timeout=WAIT) == DIFF_STEPS[-1]
        assert data == DIFF_STEPS and job.outputs() == DIFF_STEPS
        assert "generating" in stages and stages[-1] == "complete"
        assert job.done() and isinstance(job.event_id, str) and len(job.event_id) >= 16

    async def run() -> list[Any]:
        async with AsyncClient(calls_url) as app:
            job = await app.submit("/diffs", 6)
            got = [value async for value in job]
            assert await job == DIFF_STEPS[-1]
            return got

    assert asyncio.run(run()) == DIFF_STEPS


def test_iterating_a_job_reads_its_stream_on_the_iterating_thread(calls_url: str) -> None:
    # A reader thread would wake the iterating thread for every update (two thread
    # switches each); the iterating thread takes the stream over at the next chunk.
    with Client(calls_url) as app:
        job = app.submit("/ticker", 5)
        readers: list[int] = []
        job.on("data", lambda _value: readers.append(threading.get_ident()))
        assert list(job) == ["0", "1", "2", "3", "4"]
        assert len(readers) == 5
        assert threading.get_ident() in readers[1:]


def test_a_job_left_between_two_updates_still_ends(calls_url: str) -> None:
    # Its stream was left parked by the iterating thread: the reader thread reads on.
    with Client(calls_url) as app:
        job = app.submit("/ticker", 3)
        seen: list[str] = []
        job.on("data", seen.append)
        updates = iter(job)
        assert next(updates) == "0"
        assert job.result(timeout=WAIT) == "2"
        assert seen == ["0", "1", "2"]
        assert list(updates) == ["1", "2"]


def test_status_progress_and_logs(calls_url: str) -> None:
    with Client(calls_url) as app:
        job = app.submit("/progress_logs", 5)
        statuses: list[Status] = []
        job.on("status", statuses.append)
        assert not job.done() or job.status().stage == "complete"
        assert job.result(timeout=WAIT) == "did 5"
    stages = [s.stage for s in statuses]
    assert stages[0] == "pending" and stages[-1] == "complete"
    queued = [s for s in statuses if s.code == "estimation"]
    assert queued and queued[0].queue_size is not None and queued[0].position is not None
    progress = [s.progress for s in statuses if s.code == "progress"]
    assert progress and all(p and p[0].length == 5 and p[0].desc == "steps" for p in progress)
    final = statuses[-1]
    assert final.success is True and isinstance(final.time, float)
    assert [(m.message, m.level) for m in final.logs] == [
        ("starting work", "info"), ("almost done", "warning"),
    ]


def test_result_timeout_then_result(calls_url: str, flag: Callable[[str], Path]) -> None:
    release = flag("timeout")
    with Client(calls_url) as app:
        job = app.submit("/block", str(release))
        with pytest.raises(JobTimeoutError):
            job.result(timeout=0.3)
        assert not job.done()
        release.touch()
        assert job.result(timeout=WAIT) == "released"
        assert job.status().stage == "complete" and job.status().success is True


def test_cancel_queued_job(calls_url: str, flag: Callable[[str], Path]) -> None:
    ahead, mine = flag("ahead"), flag("mine")
    with Client(calls_url) as other, Client(calls_url) as app:
        blocker = other.submit("/block", str(ahead))
        wait_status(blocker, started)
        job = app.submit("/block", str(mine))
        queued = wait_status(job, lambda s: s.code == "estimation")
        assert queued.position is not None and queued.position >= 0
        assert job.cancel() is True
        with pytest.raises(CancelledError):
            job.result(timeout=WAIT)
        assert job.status().stage == "cancelled" and job.done()
        assert job.cancel() is False
        # Gradio < 6 still runs a cancelled queued job later (its /cancel does not
        # dequeue it) and then breaks the session's stream with a KeyError: a job
        # pending in the same session across that must still get its result.
        mine.touch()
        later_flag = flag("later")
        later = app.submit("/block", str(later_flag))
        ahead.touch()
        assert blocker.result(timeout=WAIT) == "released"
        later_flag.touch()
        assert later.result(timeout=WAIT) == "released"
        assert app.predict("/echo", "after") == "after-after"


def test_cancel_running_job(calls_url: str, flag: Callable[[str], Path]) -> None:
    release = flag("running")
    with Client(calls_url) as app:
        job = app.submit("/block", str(release))
        wait_status(job, started)
        job.cancel()
        with pytest.raises(CancelledError):
            job.result(timeout=WAIT)
        assert job.status().stage == "cancelled" and job.status().success is False
        assert list(job) == []
        release.touch()
        assert app.predict("/echo", "next") == "next-next"


def test_cancel_generator_mid_stream(calls_url: str) -> None:
    with Client(calls_url) as app:
        job = app.submit("/ticker", 200)
        first = threading.Event()
        job.on("data", lambda _: first.set())
        assert first.wait(WAIT)
        job.cancel()
        with pytest.raises(CancelledError):
            job.result(timeout=WAIT)
        got = list(job)
        assert got and got[0] == "0" and len(got) < 200
        assert job.status().stage == "cancelled"
        assert app.predict("/echo", "still") == "still-still"


def test_cancel_kills_running_peer_of_same_endpoint(
    calls_url: str, flag: Callable[[str], Path]
) -> None:
    """Gradio's /cancel stops every running job of the endpoint in the session: the
    running peer must end as cancelled instead of waiting forever."""
    first, second = flag("peer1"), flag("peer2")
    with Client(calls_url) as app:
        running = app.submit("/block", str(first))
        wait_status(running, started)
        queued = app.submit("/block", str(second))
        wait_status(queued, lambda s: s.code == "estimation")
        queued.cancel()
        with pytest.raises(CancelledError):
            queued.result(timeout=WAIT)
        with pytest.raises(CancelledError, match="another job"):
            running.result(timeout=WAIT)


def test_async_jobs_cancel_and_timeout(calls_url: str, flag: Callable[[str], Path]) -> None:
    ahead, mine, slow = flag("a-ahead"), flag("a-mine"), flag("a-slow")

    async def run() -> None:
        async with AsyncClient(calls_url) as other, AsyncClient(calls_url) as app:
            blocker = await other.submit("/block", str(ahead))
            await await_status(blocker, started)
            with pytest.raises(JobTimeoutError):
                await blocker.result(timeout=0.2)
            queued = await app.submit("/block", str(mine))
            await await_status(queued, lambda s: s.code == "estimation")
            assert await queued.cancel() is True
            with pytest.raises(CancelledError):
                await queued.result(timeout=WAIT)
            assert queued.status().stage == "cancelled"
            mine.touch()
            later_flag = flag("a-later")
            later = await app.submit("/block", str(later_flag))
            ahead.touch()
            assert await blocker.result(timeout=WAIT) == "released"
            later_flag.touch()
            assert await later.result(timeout=WAIT) == "released"

            running = await app.submit("/block", str(slow))
            await await_status(running, started)
            await running.cancel()
            with pytest.raises(CancelledError):
                await running.result(timeout=WAIT)
            slow.touch()

            ticker = await app.submit("/ticker", 200)
            got: list[str] = []
            async for value in ticker:
                got.append(value)
                if len(got) == 2:
                    await ticker.cancel()
            assert got[:2] == ["0", "1"] and len(got) < 200
            with pytest.raises(CancelledError):
                await ticker
            assert ticker.done() and ticker.status().stage == "cancelled"
            assert await app.predict("/echo", "ok") == "ok-ok"

    asyncio.run(run())


def test_stream_outlasts_a_short_request_timeout(calls_url: str) -> None:
    """A 1 s request timeout must not cut the queue stream while a job runs silently
    (the server only sends heartbeats, every 15 s)."""
    with Client(calls_url, timeout=1.0) as app:
        assert app._conn.stream_http_timeout.read == STREAM_READ_TIMEOUT > 15
        assert app.predict("/nap", 2.5) == "awake"

    async def run() -> str:
        async with AsyncClient(calls_url, timeout=1.0) as app:
            return str(await app.predict("/nap", 2.5))

    assert asyncio.run(run()) == "awake"
