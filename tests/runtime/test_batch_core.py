"""The map's no-I/O scheduling core and its checkpoint file, without servers."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from gradio_codegen_runtime._batch import HEADROOM, MAX_ATTEMPTS, MapCore, Outcome
from gradio_codegen_runtime._checkpoint import Checkpoint
from gradio_codegen_runtime.errors import (
    APIConnectionError, AppError, CheckpointError, QueueFullError, RateLimitError,
)


def core_over(inputs, limits=(None,), window=None) -> MapCore:  # type: ignore[no-untyped-def]
    return MapCore.create(iter(inputs), lambda i, item: ([item], f"k{i}"), list(limits),
                          window=window)


def test_outcomes_leave_in_input_order_whatever_order_they_finish() -> None:
    core = core_over(range(5), limits=(5,))
    starts = core.take_starts(0.0)
    assert [a.index for a in starts] == [0, 1, 2, 3, 4]
    for a in reversed(starts[1:]):
        core.succeeded(a, a.index * 10)
    assert core.pop_ready() == []  # input 0 holds the rest back
    core.succeeded(starts[0], 0)
    assert [o.value for o in core.pop_ready()] == [0, 10, 20, 30, 40]
    assert core.take_starts(0.0) == [] and core.finished()


def test_auto_concurrency_follows_what_the_app_runs() -> None:
    core = core_over(range(100), limits=(None,))
    first = core.take_starts(0.0)
    assert len(first) == HEADROOM  # nothing known yet: a couple queued
    for a in first:
        core.started(a)
    more = core.take_starts(0.0)
    assert len(more) == HEADROOM  # two running: two more queued, no flood
    for a in more:
        core.started(a)
    assert len(core.take_starts(0.0)) == 4  # four running: as many queued
    assert core.lanes[0].limit() == 8


def test_auto_concurrency_keeps_what_it_learned_between_short_jobs() -> None:
    """Short jobs leave the app's slots empty for a moment between them: the limit
    stays at the most seen running at once, so the queue stays deep enough to refill."""
    core = core_over(range(100), limits=(None,))
    running = []
    for _ in range(2):
        for a in core.take_starts(0.0):
            core.started(a)
            running.append(a)
    queued = core.take_starts(0.0)
    assert (len(running), len(queued)) == (4, 4)
    for a in running:  # all four end before any queued one is seen starting
        core.succeeded(a, None)
    assert core.lanes[0].running == 0 and core.lanes[0].limit() == 8
    assert len(core.take_starts(0.0)) == 4  # refilled to two rounds, not to HEADROOM


def test_window_bounds_what_is_read_of_an_endless_input() -> None:
    core = core_over(itertools.count(), limits=(4,), window=10)
    held = core.take_starts(0.0)
    stuck, rest = held[0], held[1:]
    for _ in range(20):
        for a in rest:
            core.succeeded(a, None)
        rest = core.take_starts(0.0)
    assert core.next_index == 10  # input 0 is stuck: nothing beyond the window is read
    assert len(core.results) == 9
    core.succeeded(stuck, None)
    assert len(core.pop_ready()) == 10 and core.next_index == 10
    assert len(core.take_starts(0.0)) == 4


def test_only_refused_joins_are_retried_and_not_forever() -> None:
    core = core_over(range(3), limits=(3,))
    a, b, c = core.take_starts(0.0)
    assert core.failed(a, QueueFullError("full", status_code=503), 0.0) is None
    assert core.failed(b, RateLimitError("slow down", retry_after=5.0), 0.0) is None
    final = core.failed(c, APIConnectionError("lost after the join"), 0.0)
    assert isinstance(final, Outcome) and final.attempts == 1  # may have run: final
    assert core.wake_at() is not None and core.wake_at() <= 8.0  # type: ignore[operator]
    assert [s.index for s in core.take_starts(4.9)] == [0]  # b waits its 5 s
    again = core.take_starts(100.0)
    assert [s.index for s in again] == [1] and again[0].number == 2
    attempt = again[0]
    now = 100.0
    while True:
        out = core.failed(attempt, QueueFullError("full", status_code=503), now)
        if out is not None:
            break
        now += 100.0
        attempt = next(s for s in core.take_starts(now) if s.index == 1)
    assert out.attempts == MAX_ATTEMPTS and isinstance(out.error, QueueFullError)
    app = core_over([1])
    (x,) = app.take_starts(0.0)
    assert app.failed(x, AppError("bad input"), 0.0) is not None  # the app's own error


def test_checkpoint_tolerates_a_torn_line_and_knows_its_map(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    cp = Checkpoint(path, "/square")
    cp.append({"i": 0, "key": "k0", "ok": True, "value": 1.0})
    cp.append({"i": 1, "key": "k1", "ok": False, "error": {"type": "AppError", "message": "x"}})
    cp.append({"i": 2, "key": "k2", "ok": False, "error": {"type": "APIConnectionError"}})
    cp.close()
    with path.open("ab") as f:
        f.write(b'{"i": 3, "key": "k3", "ok": tr')
    cp = Checkpoint(path, "/square")
    assert cp.done(0, "k0") == {"i": 0, "key": "k0", "ok": True, "value": 1.0}
    assert cp.done(1, "k1") is not None  # the app's error is final
    assert cp.done(2, "k2") is None  # a lost connection runs again
    assert cp.done(3, "k3") is None
    with pytest.raises(CheckpointError, match="input 0 is not the input"):
        cp.done(0, "changed")
    cp.append({"i": 3, "key": "k3", "ok": True, "value": 9.0})
    cp.close()
    assert path.read_bytes().endswith(b'"value":9.0}\n') and b"tr{" not in path.read_bytes()
    with pytest.raises(CheckpointError, match="'/square', not '/other'"):
        Checkpoint(path, "/other")
