"""``map``: many inputs through one endpoint, in order, resumable, over replicas.

Real servers (``tests/apps/batch_app.py``, queue concurrency limit 4) log every
execution, so what ran is counted server-side, never inferred from the client.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from gradio_codegen.cli import main as cli
from gradio_codegen_runtime import (
    APIConnectionError, AppError, CheckpointError, Client, ValidationError,
)
from tests.conftest import import_fresh
from tests.servers.pool import Server, ServerPool, start_server

V6 = "6.31.0"


def log_lines(server: Server) -> list[str]:
    path = server.workdir / "calls.log"
    return path.read_text().splitlines() if path.exists() else []


def executed(server: Server, since: int, endpoint: str = "square") -> list[float]:
    """Inputs of the executions logged after the first ``since`` lines."""
    return [float(line.split()[1]) for line in log_lines(server)[since:]
            if line.split()[0] == endpoint]


@pytest.fixture(scope="module")
def app(servers: ServerPool) -> Server:
    return servers.get("batch_app", V6)


@pytest.fixture(scope="module")
def sdk(app: Server, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("sdk") / "batch_sdk"
    assert cli([app.url, "-o", str(out)]) == 0
    return import_fresh(out, "batch_sdk")


def test_map_of_2000_inputs_in_order_matches_single_calls(app: Server, sdk: Any) -> None:
    since = len(log_lines(app))
    with sdk.Client(app.url) as client:
        outcomes = list(client.map.square(range(2000)))
        singles = [client.square(x) for x in (0, 1, 7, 1999)]
    assert [o.index for o in outcomes] == list(range(2000))
    assert all(o.ok and not o.replayed for o in outcomes)
    assert [o.value for o in outcomes] == [float(x * x) for x in range(2000)]
    assert [outcomes[x].value for x in (0, 1, 7, 1999)] == singles
    ran = executed(app, since)
    assert sorted(ran[:-4]) == [float(x) for x in range(2000)]  # each input once


def test_errors_are_reported_per_input(app: Server, sdk: Any) -> None:
    inputs: list[Any] = [1, -2, (3,), {"x": -4}, "five", (1, 2)]
    with sdk.Client(app.url) as client:
        outcomes = list(client.map.square(inputs, concurrency=2))
    assert [o.index for o in outcomes] == list(range(6))
    assert outcomes[0].value == 1.0 and outcomes[2].value == 9.0
    for i, x in ((1, -2), (3, -4)):
        assert isinstance(outcomes[i].error, AppError)
        assert f"negative input {x}" in str(outcomes[i].error)
        with pytest.raises(AppError):
            outcomes[i].result()
    # Bad inputs fail before anything is sent, each as its own outcome.
    assert isinstance(outcomes[4].error, ValidationError) and outcomes[4].attempts == 0
    assert isinstance(outcomes[5].error, ValidationError) and outcomes[5].attempts == 0


def new_sessions(server: Server, since: int, endpoint: str = "square") -> list[float]:
    """Inputs run after line ``since`` by sessions that ran nothing before it (a new
    client's): a job a stopped map cancelled may still start on the app once, in its
    old session, when that session's stream is open (Gradio's queue had already taken
    it); that execution is the stopped run's, not the resumed one's."""
    lines = [line.split() for line in log_lines(server)]
    old = {parts[2] for parts in lines[:since]}
    return [float(p[1]) for p in lines[since:] if p[0] == endpoint and p[2] not in old]


def _stopped_map(client: Any, n: int, stop_after: int, checkpoint: Path) -> None:
    seen = 0
    for outcome in client.map.square(range(n), checkpoint=checkpoint):
        seen += 1
        if seen == stop_after:
            break  # the map is dropped here: its running jobs are cancelled


def _recorded(checkpoint: Path) -> set[int]:
    lines = checkpoint.read_text().splitlines()[1:]
    return {entry["i"] for entry in map(json.loads, lines) if entry["ok"]}


def test_stopped_map_resumes_from_its_checkpoint(app: Server, sdk: Any, tmp_path: Path) -> None:
    checkpoint = tmp_path / "run.jsonl"
    n = 300
    with sdk.Client(app.url) as client:
        _stopped_map(client, n, 100, checkpoint)
        done = _recorded(checkpoint)
        assert set(range(100)) <= done and len(done) < n
        with checkpoint.open("ab") as f:  # a crash tore the last line
            f.write(b'{"i": 299, "key": "ab')
    since = len(log_lines(app))
    with sdk.Client(app.url) as client:  # a new process would have a new client
        outcomes = list(client.map.square(range(n), checkpoint=checkpoint))
    assert [o.value for o in outcomes] == [float(x * x) for x in range(n)]
    assert {o.index for o in outcomes if o.replayed} == done
    # Only what the first run had not finished ran again, each once.
    assert sorted(new_sessions(app, since)) == sorted(float(x) for x in set(range(n)) - done)
    assert _recorded(checkpoint) == set(range(n))


def test_checkpoint_belongs_to_its_map(app: Server, sdk: Any, tmp_path: Path) -> None:
    checkpoint = tmp_path / "c.jsonl"
    with sdk.Client(app.url) as client:
        assert [o.value for o in client.map.square([1, 2], checkpoint=checkpoint)] == [1.0, 4.0]
        with pytest.raises(CheckpointError, match="/square"):
            list(client.map.save([("a", 1)], checkpoint=checkpoint))
        since = len(log_lines(app))
        with pytest.raises(CheckpointError, match="input 1 is not the input recorded"):
            list(client.map.square([1, 3], checkpoint=checkpoint))
    assert executed(app, since) == []


def test_checkpoint_records_file_outputs(app: Server, sdk: Any, tmp_path: Path) -> None:
    checkpoint = tmp_path / "files.jsonl"
    with sdk.Client(app.url) as client:
        first = [o.result() for o in client.map.save([("ab", 2), {"text": "cd"}],
                                                      checkpoint=checkpoint)]
        since = len(log_lines(app))
        again = list(client.map.save([("ab", 2), {"text": "cd"}], checkpoint=checkpoint))
        assert executed(app, since, "save") == []
        assert all(o.replayed for o in again)
        assert [o.value for o in again] == first
        ref, upper = again[1].result()
        assert upper == "CD" and ref.read_bytes() == b"cdcd"  # n's default, 2
        assert type(again[1].value).__name__ == type(first[1]).__name__


def test_async_map(app: Server, sdk: Any, tmp_path: Path) -> None:
    checkpoint = tmp_path / "async.jsonl"
    inputs = [*range(150), -1]

    async def first_run() -> list[Any]:
        async with sdk.AsyncClient(app.url) as client:
            seen = []
            async with client.map.square(inputs, checkpoint=checkpoint) as run:
                async for outcome in run:
                    seen.append(outcome)
                    if len(seen) == 60:
                        break  # leaving the block cancels what still runs
            return seen

    async def second_run() -> list[Any]:
        async with sdk.AsyncClient(app.url) as client:
            return [o async for o in client.map.square(inputs, checkpoint=checkpoint)]

    first = asyncio.run(first_run())
    done = _recorded(checkpoint)
    since = len(log_lines(app))
    outcomes = asyncio.run(second_run())
    assert [o.value for o in first] == [float(x * x) for x in range(60)]
    assert [o.index for o in outcomes] == list(range(151))
    assert [o.value for o in outcomes[:150]] == [float(x * x) for x in range(150)]
    assert isinstance(outcomes[150].error, AppError)
    assert {o.index for o in outcomes if o.replayed} == done
    assert sorted(new_sessions(app, since)) == sorted(
        float(x) for x in set(range(150)) - done | {-1}
    )


@pytest.mark.parametrize("version", ["5.50.0", "4.44.1"])
def test_map_on_older_gradio(servers: ServerPool, version: str) -> None:
    server = servers.get("batch_app", version)
    with Client(server.url) as client:
        outcomes = list(client.map("/square", [*range(40), -3]))
    assert [o.value for o in outcomes[:40]] == [float(x * x) for x in range(40)]
    assert isinstance(outcomes[40].error, AppError)


@pytest.fixture(scope="module")
def replica(app: Server) -> Iterator[Server]:
    server = start_server("batch_app", V6)
    yield server
    server.stop()


def test_map_spreads_over_replicas(app: Server, replica: Server, sdk: Any) -> None:
    since = (len(log_lines(app)), len(log_lines(replica)))
    with sdk.Client(app.url) as client:
        outcomes = list(client.map.square(range(200), replicas=[replica.url]))
    assert [o.value for o in outcomes] == [float(x * x) for x in range(200)]
    here, there = executed(app, since[0]), executed(replica, since[1])
    assert here and there  # both deployments served calls
    assert sorted(here + there) == [float(x) for x in range(200)]


def test_refused_joins_are_retried_and_lost_ones_are_not(app: Server) -> None:
    from tests.runtime.conftest import Recorder
    from tests.runtime.test_retries import reply

    rec = Recorder()
    since = len(log_lines(app))
    with Client(app.url, transport=rec, max_retries=0) as client:
        client.predict("/square", 0)
        rec.fail("/queue/join", reply(429, {"retry-after": "0"}))
        rec.fail("/queue/join", reply(503, body={"detail": "Queue is full. Max size is 1"}))
        refused = list(client.map("/square", [1, 2], concurrency=1))
        rec.fail("/queue/join", "read")  # sent, answer lost: the job may be queued
        lost = list(client.map("/square", [3], concurrency=1))
    assert [(o.value, o.attempts) for o in refused] == [(1.0, 3), (4.0, 1)]
    assert isinstance(lost[0].error, APIConnectionError) and lost[0].attempts == 1
    assert rec.tried("/queue/join") == 1 + 4 + 1  # the lost join was not sent again
    ran = executed(app, since)
    assert sorted(x for x in ran if x != 3.0) == [0.0, 1.0, 2.0]  # each ran once
    assert ran.count(3.0) <= 1  # the lost join's job may run, but once at most


def _wait_for_log(server: Server, since: int, count: int, limit: float = 60.0) -> int:
    """Poll the app's execution log (with a deadline) until ``count`` new lines."""
    import time

    deadline = time.monotonic() + limit
    while len(log_lines(server)) - since < count and time.monotonic() < deadline:
        time.sleep(0.02)  # polling an observable condition, with a deadline
    return len(log_lines(server)) - since


def test_map_keeps_working_while_the_consumer_is_busy(app: Server, sdk: Any) -> None:
    since = len(log_lines(app))
    with sdk.Client(app.url) as client:
        run = client.map.square(range(30), concurrency=2)
        first = next(run)
        # Nobody iterates now; finished jobs still make room for the next inputs.
        assert _wait_for_log(app, since, 30) == 30
        rest = list(run)
    assert [o.value for o in [first, *rest]] == [float(x * x) for x in range(30)]


def test_a_failing_input_iterable_stops_the_map(app: Server, sdk: Any) -> None:
    def inputs() -> Iterator[int]:
        yield from range(5)
        raise OSError("the dataset went away")

    with sdk.Client(app.url) as client:
        seen = []
        with pytest.raises(OSError, match="went away"):
            for outcome in client.map.square(inputs(), concurrency=2):
                seen.append(outcome.value)
        assert client.square(2) == 4.0  # the client is still usable
    assert seen == [float(x * x) for x in range(len(seen))]
