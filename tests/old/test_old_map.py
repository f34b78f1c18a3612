"""``map`` on old servers: Gradio 4.0-4.8 (a stream per job) and 3.x (a WebSocket per
job), sync and async, through generated SDKs.

The app (``tests/apps/batch_app.py``, 4 jobs at once) logs every execution with the
caller's ``x-map-run`` header and how many jobs its queue held, so what ran, for which
run, and how deep the map filled the queue are counted server-side.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen_runtime import AppError, ValidationError

from tests.servers.pool import Server

N = 200
#: The app's queue concurrency (``batch_app.CONCURRENCY``).
APP_CONCURRENCY = 4
#: Inputs of every form, errors included: the app refuses negative numbers, the
#: runtime refuses a string and a surplus argument before anything is sent.
MIXED: list[Any] = [(3,), {"x": -4}, "five", (1, 2), -1.5]


@pytest.fixture
def app(serve: Any, old_version: str) -> Server:
    server: Server = serve("batch_app", old_version)
    return server


def executions(server: Server, run: str) -> list[tuple[float, int]]:
    """``(input, jobs waiting in the app's queue)`` of each execution of ``run``."""
    path = server.workdir / "calls.log"
    lines = path.read_text().splitlines() if path.exists() else []
    return [(float(p[1]), int(p[4])) for p in map(str.split, lines) if p[0] == "square" and p[3] == run]


def tagged() -> tuple[str, dict[str, str]]:
    run = uuid.uuid4().hex
    return run, {"x-map-run": run}


def check_outcomes(outcomes: list[Any], singles: list[float]) -> None:
    """In input order, each value the single call's, each error its input's own."""
    assert [o.index for o in outcomes] == list(range(N + len(MIXED)))
    assert all(o.ok and not o.replayed for o in outcomes[:N])
    assert [o.value for o in outcomes[:N]] == [float(x * x) for x in range(N)]
    assert [outcomes[x].value for x in (0, 7, N - 1)] == singles
    extra = outcomes[N:]
    assert extra[0].value == 9.0
    for outcome, bad in ((extra[1], -4), (extra[4], -1.5)):
        assert isinstance(outcome.error, AppError) and f"negative input {bad}" in str(
            outcome.error
        )
    for outcome in (extra[2], extra[3]):  # refused before anything was sent
        assert isinstance(outcome.error, ValidationError) and outcome.attempts == 0


def check_ran(server: Server, run: str) -> None:
    """Each valid input ran once, and the map never flooded the app's queue. With the
    default concurrency it keeps at most twice as many jobs in flight as it has seen
    the app run at once: 4, or 5 if a start on one job's stream was read before an end
    on another's. So no execution saw more than 2 * 5 - 1 others waiting (a map
    flooding the app, or one fixed at its cap of 16, made 12 to 15 here)."""
    ran = executions(server, run)
    inputs = sorted(x for x, _ in ran)
    assert inputs == sorted([float(x) for x in range(N)] + [3.0, -4.0, -1.5, 0.0, 7.0, N - 1.0])
    assert max(waiting for _, waiting in ran) <= 2 * (APP_CONCURRENCY + 1) - 1


def test_map_in_order_with_errors(make_sdk: Any, app: Server) -> None:
    sdk = make_sdk("batch_app")
    run, headers = tagged()
    with sdk.Client(headers=headers) as client:
        outcomes = list(client.map.square([*range(N), *MIXED]))
        singles = [client.square(x) for x in (0, 7, N - 1)]
    check_outcomes(outcomes, singles)
    check_ran(app, run)


def test_async_map_in_order_with_errors(make_sdk: Any, app: Server) -> None:
    sdk = make_sdk("batch_app")
    run, headers = tagged()

    async def go() -> tuple[list[Any], list[float]]:
        async with sdk.AsyncClient(headers=headers) as client:
            outcomes = [o async for o in client.map.square([*range(N), *MIXED])]
            singles = [await client.square(x) for x in (0, 7, N - 1)]
            return outcomes, singles

    outcomes, singles = asyncio.run(go())
    check_outcomes(outcomes, singles)
    check_ran(app, run)


def recorded(checkpoint: Path) -> set[int]:
    lines = checkpoint.read_text().splitlines()[1:]
    return {entry["i"] for entry in map(json.loads, lines) if entry["ok"]}


def check_resumed(server: Server, run: str, outcomes: list[Any], done: set[int]) -> None:
    """The second run answered ``done`` from the checkpoint and ran only the rest,
    each once (the first run's executions carry its own tag)."""
    assert [o.value for o in outcomes] == [float(x * x) for x in range(N)]
    assert {o.index for o in outcomes if o.replayed} == done
    assert sorted(x for x, _ in executions(server, run)) == sorted(
        float(x) for x in set(range(N)) - done
    )
    assert len(done) < N


STOP_AFTER = 60


def test_stopped_map_resumes_from_its_checkpoint(
    make_sdk: Any, app: Server, tmp_path: Path
) -> None:
    sdk = make_sdk("batch_app")
    checkpoint = tmp_path / "run.jsonl"
    with sdk.Client(headers=tagged()[1]) as client:
        for seen, _ in enumerate(client.map.square(range(N), checkpoint=checkpoint), 1):
            if seen == STOP_AFTER:
                break  # the map is dropped here: its queued and running jobs are cancelled
    done = recorded(checkpoint)
    assert set(range(STOP_AFTER)) <= done
    run, headers = tagged()
    with sdk.Client(headers=headers) as client:  # a new process would have a new client
        outcomes = list(client.map.square(range(N), checkpoint=checkpoint))
    check_resumed(app, run, outcomes, done)
    assert recorded(checkpoint) == set(range(N))


def test_stopped_async_map_resumes_from_its_checkpoint(
    make_sdk: Any, app: Server, tmp_path: Path
) -> None:
    sdk = make_sdk("batch_app")
    checkpoint = tmp_path / "async.jsonl"

    async def first() -> None:
        async with sdk.AsyncClient(headers=tagged()[1]) as client:
            async with client.map.square(range(N), checkpoint=checkpoint) as outcomes:
                seen = 0
                async for _ in outcomes:
                    seen += 1
                    if seen == STOP_AFTER:
                        break  # leaving the block cancels what still runs

    run, headers = tagged()

    async def second() -> list[Any]:
        async with sdk.AsyncClient(headers=headers) as client:
            return [o async for o in client.map.square(range(N), checkpoint=checkpoint)]

    asyncio.run(first())
    done = recorded(checkpoint)
    assert set(range(STOP_AFTER)) <= done
    check_resumed(app, run, asyncio.run(second()), done)
