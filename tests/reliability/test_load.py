"""Load: many concurrent jobs through one client, a cancel storm, long sequential runs.

Sizes follow issue 7 scaled by ``GRADIO_CODEGEN_LOAD_SCALE`` (default 0.2, see
``conftest.LOAD_SCALE``); ``GRADIO_CODEGEN_LOAD_SCALE=1`` runs the full figures.
Load runs against gradio 6.31 (older servers add a ~50 ms polling floor per call).
"""

from __future__ import annotations

import asyncio
import gc
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import pytest

from gradio_codegen_runtime import AsyncClient, Client
from gradio_codegen_runtime.errors import CancelledError, JobTimeoutError
from gradio_codegen_runtime.jobs import AsyncJob, Job
from gradio_codegen_runtime.status import Status
from tests.reliability.conftest import LOAD_SCALE, Resources, executions, new_tag, release
from tests.servers.pool import Server

VERSION = "6.31.0"
ROUNDS = 20
JOBS_PER_ROUND = max(20, round(500 * LOAD_SCALE))
STORM_JOBS = max(100, round(1000 * LOAD_SCALE))
SEQUENTIAL_CALLS = max(1000, round(10_000 * LOAD_SCALE))
#: How long one storm job may take to end once the test waits for it. Gradio sends every
#: queued job's estimate to the session after each completion (O(n²) messages), so a
#: full-size storm of 1,000 jobs in one session takes minutes to drain.
STORM_RESULT_TIMEOUT = 120 * max(1.0, 5 * LOAD_SCALE)
#: Figures of the last run, for the Reliability section of README.md.
FIGURES: dict[str, Any] = {}

#: Per-test limit: 15 min at the default scale, growing with the sizes.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(round(900 * max(1.0, 5 * LOAD_SCALE)))]


@pytest.fixture
def server(serve: Callable[[str, str], Server]) -> Server:
    return serve("rel_jobs", VERSION)


def _round_tag(round_no: int) -> str:
    return f"{new_tag()}-r{round_no}"


def test_async_rounds_all_results_matched(server: Server) -> None:
    resources = Resources()

    async def main() -> None:
        async with AsyncClient(server.url, timeout=120) as client:
            for round_no in range(ROUNDS):
                tag = _round_tag(round_no)
                texts = [f"{round_no}-{i}-{random.random()}" for i in range(JOBS_PER_ROUND)]
                results = await asyncio.gather(*(client.predict("/echo", t, tag) for t in texts))
                assert results == [f"{t}|{tag}" for t in texts]
                assert executions(server, "echo", tag) == JOBS_PER_ROUND

    asyncio.run(main())
    resources.assert_released()
    FIGURES["async"] = (ROUNDS, JOBS_PER_ROUND)


def test_sync_rounds_with_threads_all_results_matched(server: Server) -> None:
    resources = Resources()
    client = Client(server.url, timeout=120)
    with ThreadPoolExecutor(max_workers=JOBS_PER_ROUND) as pool:
        for round_no in range(ROUNDS):
            tag = _round_tag(round_no)
            texts = [f"{round_no}-{i}-{random.random()}" for i in range(JOBS_PER_ROUND)]
            results = list(pool.map(lambda t: client.predict("/echo", t, tag), texts))
            assert results == [f"{t}|{tag}" for t in texts]
            assert executions(server, "echo", tag) == JOBS_PER_ROUND
    client.close()
    resources.assert_released()
    FIGURES["sync"] = (ROUNDS, JOBS_PER_ROUND)


def _storm_plan(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """(endpoint, tag, when-to-cancel) per job; few blocking jobs (they hold threads)."""
    plan = []
    blocks = 0
    for _ in range(count):
        endpoint = rng.choice(["echo", "count", "hold_gen", "block"])
        if endpoint == "block":
            blocks += 1
            if blocks > 15:
                endpoint = "hold_gen"
        plan.append((endpoint, new_tag(), rng.choice(["now", "started", "never"])))
    return plan


def _args(endpoint: str, tag: str) -> tuple[Any, ...]:
    return {
        "echo": ("storm", tag), "count": (5, tag), "hold_gen": (20, tag), "block": (tag,),
    }[endpoint]


def _max_runs(endpoint: str, when: str) -> int:
    """How often the app may run a storm job: once, as the client joins each job once.
    Gradio 6.31's /cancel of a running generator closes its iterator and marks the
    event for a fresh one (``routes.py`` cancel, ``route_utils.restore_session_state``);
    when the queue worker asks for the next yield before it sees the cancel, the app
    calls the function again from the start. So a generator job the test cancelled may
    have run twice on the server's side."""
    return 2 if endpoint in ("count", "hold_gen") and when != "never" else 1


def _expected(endpoint: str, tag: str) -> Any:
    return {
        "echo": f"storm|{tag}", "count": f"{tag}:4", "hold_gen": f"{tag}:19",
        "block": f"released {tag}",
    }[endpoint]


def _setter(event: threading.Event | asyncio.Event) -> Callable[[Status], None]:
    """A status callback that sets ``event`` once the job left the queue."""

    def on_status(status: Status) -> None:
        if status.code != "estimation":
            event.set()

    return on_status


def test_sync_cancel_storm(server: Server) -> None:
    resources = Resources()
    rng = random.Random(7)
    plan = _storm_plan(rng, STORM_JOBS)
    client = Client(server.url, timeout=120)
    jobs: list[Job[Any]] = []
    started: list[threading.Event] = []
    for endpoint, tag, _ in plan:
        job = client.submit("/" + endpoint, *_args(endpoint, tag))
        event = threading.Event()
        job.on("status", _setter(event))
        jobs.append(job)
        started.append(event)
    order = list(range(len(plan)))
    rng.shuffle(order)
    for i in order:
        if plan[i][2] == "now":
            jobs[i].cancel()
    for i in order:
        if plan[i][2] == "started":
            started[i].wait(30)
            jobs[i].cancel()
    for endpoint, tag, _ in plan:
        if endpoint == "block":
            release(server, tag)
    outcomes = {"completed": 0, "cancelled": 0}
    for (endpoint, tag, when), job in zip(plan, jobs):
        try:
            value = job.result(timeout=STORM_RESULT_TIMEOUT)
        except JobTimeoutError:
            pytest.fail(f"a {endpoint} job (cancel: {when}) never ended: {job.status()}")
        except CancelledError:
            outcomes["cancelled"] += 1
            assert job.status().stage == "cancelled"
        else:
            outcomes["completed"] += 1
            assert value == _expected(endpoint, tag)
        assert executions(server, endpoint, tag) <= _max_runs(endpoint, when)
    assert client.predict("/echo", "after", "storm") == "after|storm"
    client.close()
    resources.assert_released()
    FIGURES["sync_storm"] = (STORM_JOBS, outcomes)


def test_async_cancel_storm(server: Server) -> None:
    resources = Resources()
    rng = random.Random(11)
    plan = _storm_plan(rng, STORM_JOBS)
    outcomes = {"completed": 0, "cancelled": 0}

    async def main() -> None:
        async with AsyncClient(server.url, timeout=120) as client:
            jobs: list[AsyncJob[Any]] = []
            started: list[asyncio.Event] = []
            for endpoint, tag, _ in plan:
                job = await client.submit("/" + endpoint, *_args(endpoint, tag))
                event = asyncio.Event()
                job.on("status", _setter(event))
                jobs.append(job)
                started.append(event)
            order = list(range(len(plan)))
            rng.shuffle(order)
            await asyncio.gather(*(jobs[i].cancel() for i in order if plan[i][2] == "now"))

            async def cancel_when_started(i: int) -> None:
                try:
                    await asyncio.wait_for(started[i].wait(), 30)
                except asyncio.TimeoutError:
                    pass
                await jobs[i].cancel()

            await asyncio.gather(*(cancel_when_started(i) for i in order if plan[i][2] == "started"))
            for endpoint, tag, _ in plan:
                if endpoint == "block":
                    release(server, tag)
            for (endpoint, tag, when), job in zip(plan, jobs):
                try:
                    value = await job.result(timeout=STORM_RESULT_TIMEOUT)
                except JobTimeoutError:
                    pytest.fail(f"a {endpoint} job (cancel: {when}) never ended: {job.status()}")
                except CancelledError:
                    outcomes["cancelled"] += 1
                    assert job.status().stage == "cancelled"
                else:
                    outcomes["completed"] += 1
                    assert value == _expected(endpoint, tag)
                assert executions(server, endpoint, tag) <= _max_runs(endpoint, when)
            assert await client.predict("/echo", "after", "astorm") == "after|astorm"

    asyncio.run(main())
    resources.assert_released()
    FIGURES["async_storm"] = (STORM_JOBS, outcomes)


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_sequential_calls_flat_memory(server: Server) -> None:
    """Live Python objects and RSS after warm-up vs. at the end (tracemalloc would
    slow every call several times over)."""
    warmup = SEQUENTIAL_CALLS // 10
    client = Client(server.url, timeout=60)
    try:
        for i in range(warmup):
            assert client.predict("/echo", str(i), "seq") == f"{i}|seq"
        gc.collect()
        objects_before = len(gc.get_objects())
        rss_before = _rss_kb()
        for i in range(warmup, SEQUENTIAL_CALLS):
            assert client.predict("/echo", str(i), "seq") == f"{i}|seq"
        gc.collect()
        objects_after = len(gc.get_objects())
        rss_after = _rss_kb()
    finally:
        client.close()
    growth = objects_after - objects_before
    FIGURES["sequential"] = {
        "calls": SEQUENTIAL_CALLS, "object_growth": growth, "rss_growth_kb": rss_after - rss_before,
    }
    assert growth < 1000, f"{growth} more live objects after {SEQUENTIAL_CALLS - warmup} calls"
    assert rss_after - rss_before < 20 * 1024, "RSS grew by more than 20 MB"
