"""The session's routing core (``_routing.Router``) alone: no server, no I/O, milliseconds.

The real-server tests (test_jobs, reliability/) check the drivers over real streams;
these check the routing rules themselves, including random orders of joins, messages,
breaks, clean ends and cancels (hypothesis): every joined job ends exactly once,
messages that arrive before a job's join returned reach it in order, and a break ends
every pending job.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradio_codegen_runtime._core import JobCore
from gradio_codegen_runtime._routing import (
    BROKE_WHILE_JOINING,
    CLOSE,
    FORGOTTEN_REASON,
    LOCAL_CANCEL_REASON,
    MAX_HICCUPS,
    MAX_UNCLAIMED,
    PEER_CANCEL_REASON,
    Router,
    StreamHiccup,
    settle,
)
from gradio_codegen_runtime.errors import (
    APIConnectionError,
    CancelledError,
    GradioError,
    ProtocolError,
)
from gradio_codegen_runtime.jobs import JobState

ENDS = ("complete", "error", "cancelled")


class Recorded(JobState):
    """A real ``JobState`` whose status changes are recorded."""

    __slots__ = ("stages",)

    def __init__(self, fn_index: int = 0) -> None:
        super().__init__(JobCore(fn_index, "sse_v3", lambda raw: raw[0], generator=True))
        self.stages: list[str] = []
        self.callbacks["status"].append(lambda status: self.stages.append(status.stage))

    @property
    def ends(self) -> int:
        return sum(stage in ENDS for stage in self.stages)


def msg(event_id: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {"msg": kind, "event_id": event_id, **fields}


def done(event_id: str, value: Any) -> dict[str, Any]:
    return msg(event_id, "process_completed", success=True, output={"data": [value]})


def generating(event_id: str, value: Any) -> dict[str, Any]:
    return msg(event_id, "process_generating", success=True, output={"data": [value]})


def join(router: Router[Recorded], event_id: str, fn_index: int = 0) -> Recorded:
    job = Recorded(fn_index)
    job.core.session_hash, breaks = router.target()
    joined = router.joined(job, event_id, breaks)
    assert not isinstance(joined, BaseException)
    deliver(router, job, joined)
    return job


def deliver(router: Router[Recorded], job: Recorded, messages: list[dict[str, Any]]) -> None:
    """What both drivers do with a job's messages."""
    if messages and job.apply(messages):
        settle(router.finished(job))


def feed(router: Router[Recorded], message: dict[str, Any]) -> bool:
    """A driver's dispatch: True when the app closed the stream."""
    target = router.message(message)
    if target is CLOSE:
        return True
    if target is not None:
        deliver(router, target, [message])
    return False


def test_messages_go_to_their_job_and_end_it_once() -> None:
    router: Router[Recorded] = Router()
    a, b = join(router, "a"), join(router, "b")
    assert feed(router, msg("a", "process_starts")) is False
    assert feed(router, generating("b", 1)) is False
    assert feed(router, done("a", "A")) is False
    assert a.core.outcome() == "A" and a.ends == 1 and not b.core.done
    assert "a" not in router.jobs and "b" in router.jobs
    assert feed(router, {"msg": "heartbeat"}) is False
    assert feed(router, {"msg": "close_stream"}) is True
    assert b.core.outputs == [1]


def test_messages_before_the_join_returned_are_delivered_in_order() -> None:
    router: Router[Recorded] = Router()
    for message in (msg("x", "estimation", rank=2), generating("x", 1), generating("x", 2)):
        feed(router, message)
    job = join(router, "x")
    assert job.core.outputs == [1, 2] and job.stages[0] == "pending"
    feed(router, done("x", 3))
    assert job.core.outcome() == 3 and job.ends == 1
    # A completed job's backlog ends it at its join, and the router forgets it.
    feed(router, done("y", 9))
    assert join(router, "y").core.outcome() == 9 and not router.pending


def test_backlog_is_bounded_and_drops_the_oldest_event() -> None:
    router: Router[Recorded] = Router()
    for i in range(MAX_UNCLAIMED + 1):
        feed(router, generating(f"e{i}", i))
    assert join(router, "e0").core.outputs == []
    assert join(router, f"e{MAX_UNCLAIMED}").core.outputs == [MAX_UNCLAIMED]


def test_a_break_fails_every_pending_job_and_starts_a_new_session() -> None:
    router: Router[Recorded] = Router()
    a, b = join(router, "a"), join(router, "b")
    b.core.cancel_requested = True
    feed(router, generating("late", 1))  # backlog of the old session
    old_session = router.session_hash
    error = APIConnectionError("broke")
    settle(router.stream_failed(error))
    assert a.core.error is error and a.ends == 1
    assert isinstance(b.core.error, CancelledError) and b.ends == 1
    assert not router.pending and router.session_hash != old_session
    assert join(router, "late").core.outputs == []  # the old session's backlog is gone


def test_a_join_that_overlapped_a_break_fails() -> None:
    router: Router[Recorded] = Router()
    job = Recorded()
    job.core.session_hash, breaks = router.target()
    settle(router.stream_failed(APIConnectionError("broke")))
    joined = router.joined(job, "a", breaks)
    assert isinstance(joined, APIConnectionError) and str(joined) == BROKE_WHILE_JOINING
    assert job.core.event_id == "a" and not router.pending


def test_a_clean_end_forgets_the_jobs_it_was_opened_for_only() -> None:
    router: Router[Recorded] = Router()
    assert router.open() is None  # no job: no stream
    old, cancelling = join(router, "old"), join(router, "cancelling")
    cancelling.core.cancel_requested = True
    stream = router.open()
    assert stream is not None and stream.session_hash == router.session_hash
    new = join(router, "new")
    settle(router.stream_ended(stream))
    assert isinstance(old.core.error, ProtocolError) and str(old.core.error) == FORGOTTEN_REASON
    assert isinstance(cancelling.core.error, CancelledError)
    assert not new.core.done and list(router.jobs) == ["new"]


def test_cancel_stops_the_running_jobs_of_its_endpoint_in_its_session() -> None:
    router: Router[Recorded] = Router()
    target, peer = join(router, "t", fn_index=1), join(router, "p", fn_index=1)
    queued, other_fn = join(router, "q", fn_index=1), join(router, "o", fn_index=2)
    router.reset()
    other_session = join(router, "s", fn_index=1)
    for event_id in "tpos":
        feed(router, msg(event_id, "process_starts"))
    target.core.cancel_requested = True
    settle(router.cancel_returned(target, supported=True))
    assert not peer.core.done  # the app reports the cancel with the job's last message
    feed(router, msg("t", "process_completed", success=True, output={}))
    assert isinstance(target.core.error, CancelledError)
    assert str(peer.core.error) == PEER_CANCEL_REASON and "p" not in router.jobs
    assert not (queued.core.done or other_fn.core.done or other_session.core.done)


def test_a_job_that_finished_before_cancel_reached_the_app_stops_its_peers() -> None:
    router: Router[Recorded] = Router()
    target, early, late = join(router, "t"), join(router, "e"), join(router, "l")
    feed(router, msg("t", "process_starts"))
    feed(router, msg("e", "process_starts"))
    target.core.cancel_requested = True
    feed(router, done("t", 1))  # the result won the race with /cancel
    assert target.core.outcome() == 1 and str(early.core.error) == PEER_CANCEL_REASON
    feed(router, msg("l", "process_starts"))  # started before the app got /cancel
    assert not late.core.done
    settle(router.cancel_returned(target, supported=True))
    assert str(late.core.error) == PEER_CANCEL_REASON and early.ends == late.ends == 1


def test_a_cancel_the_app_cannot_take_ends_the_job_locally() -> None:
    router: Router[Recorded] = Router()
    job = join(router, "a")
    job.core.cancel_requested = True
    settle(router.cancel_returned(job, supported=False))
    assert str(job.core.error) == LOCAL_CANCEL_REASON and not router.pending
    feed(router, done("a", 1))  # a late result changes nothing
    assert job.ends == 1


def test_session_errors_and_hiccups() -> None:
    router: Router[Recorded] = Router()
    with pytest.raises(ProtocolError):
        router.message({"msg": "unexpected_error", "session_not_found": True})
    with pytest.raises(ProtocolError):
        router.message({"msg": "unexpected_error", "message": "Queue stopped"})
    stream = router.open() if join(router, "a") else None
    assert stream is not None
    hiccup = StreamHiccup("KeyError")
    for _ in range(3):  # a job message between hiccups resets the count
        router.connected()
        feed(router, msg("a", "estimation"))
        router.hiccup(stream, hiccup)
    for _ in range(MAX_HICCUPS - 1):
        router.connected()
        router.hiccup(stream, hiccup)
    router.connected()
    with pytest.raises(ProtocolError, match="KeyError"):
        router.hiccup(stream, hiccup)
    assert router.message({"msg": "__malformed__"}) is None


def test_a_body_that_ends_without_close_stream() -> None:
    router: Router[Recorded] = Router()
    assert isinstance(router.body_ended("sse_v3"), APIConnectionError)
    assert router.body_ended("sse_v2.1") is None
    join(router, "a")
    settle(router.close())
    assert router.body_ended("sse_v3") is None


def test_close_cancels_pending_jobs_and_refuses_later_joins() -> None:
    router: Router[Recorded] = Router()
    job = join(router, "a")
    settle(router.close())
    assert isinstance(job.core.error, CancelledError) and job.ends == 1
    with pytest.raises(GradioError, match="closed"):
        router.joined(Recorded(), "b", router.breaks)
    assert router.open() is None


# -- random orders ---------------------------------------------------------------------

SCRIPT = ("estimation", "process_starts", "gen", "gen", "process_completed")
N_JOBS = 3

op = st.one_of(
    st.tuples(st.just("join_start"), st.integers(0, N_JOBS - 1)),
    st.tuples(st.just("join_return"), st.integers(0, N_JOBS - 1)),
    st.tuples(st.just("send"), st.integers(0, N_JOBS - 1), st.integers(1, len(SCRIPT))),
    st.tuples(st.just("cancel"), st.integers(0, N_JOBS - 1), st.booleans()),
    st.tuples(st.just("break")),
    st.tuples(st.just("end")),
    st.tuples(st.just("reset")),
)


class Model:
    """The app and a driver around one ``Router``: jobs join in two steps (the app
    takes the join, then the join returns), the app sends each job's script in order
    on its session, a break makes the app drop the old session's jobs, and a /cancel
    stops the job and every running job of the endpoint in its session."""

    def __init__(self) -> None:
        self.router: Router[Recorded] = Router()
        self.jobs: dict[int, Recorded] = {}
        self.breaks: dict[int, int] = {}
        self.sent: dict[int, int] = {}
        self.joined: set[int] = set()
        self.live: set[int] = set()  # jobs the app still serves
        self.spoiled: set[int] = set()  # broken, or stopped by the app's /cancel
        self.stream: Any = None

    def apply(self, step: tuple[Any, ...]) -> None:
        kind, router = step[0], self.router
        if kind == "join_start" and step[1] not in self.jobs:
            i = step[1]
            job = self.jobs[i] = Recorded()
            job.core.session_hash, self.breaks[i] = router.target()
            self.sent[i] = 0
            self.live.add(i)
        elif kind == "join_return" and step[1] in self.jobs and step[1] not in self.joined:
            i = step[1]
            self.joined.add(i)
            joined = router.joined(self.jobs[i], f"e{i}", self.breaks[i])
            if isinstance(joined, BaseException):
                self.jobs[i].fail(joined)
            else:
                deliver(router, self.jobs[i], joined)
        elif kind == "send":
            for _ in range(step[2]):
                self.send(step[1])
        elif kind == "cancel" and step[1] in self.joined:
            self.cancel(step[1], supported=step[2])
        elif kind == "break":
            pending = list(router.jobs.values())
            settle(router.stream_failed(APIConnectionError("broke")))
            assert not router.pending and all(j.core.done for j in pending)
            self.spoiled |= self.live | (self.jobs.keys() - self.joined)
            self.live.clear()
            self.stream = None
        elif kind == "end":
            if self.stream is not None:
                # A stream that ends while its jobs are pending: the app forgot them
                # (a restart); it serves them no more.
                forgotten = {int(e[1:]) for e in self.stream.suspects if e in router.jobs}
                settle(router.stream_ended(self.stream))
                self.live -= forgotten
                self.spoiled |= forgotten
            self.stream = router.open()
        elif kind == "reset":
            router.reset()

    def send(self, i: int) -> None:
        """The app sends job ``i``'s next message, if it still serves it."""
        if i in self.live and self.sent[i] < len(SCRIPT):
            name = SCRIPT[self.sent[i]]
            self.sent[i] += 1
            if name == "gen":
                message = generating(f"e{i}", self.sent[i])
            elif name == "process_completed":
                message = done(f"e{i}", "result")
                self.live.discard(i)
            else:
                message = msg(f"e{i}", name)
            feed(self.router, message)

    def cancel(self, i: int, supported: bool) -> None:
        job = self.jobs[i]
        if job.core.done:
            return
        job.core.cancel_requested = True
        if supported and i in self.live:
            session = job.core.session_hash
            stopped = {
                k for k in self.live
                if self.jobs[k].core.session_hash == session and self.sent[k] >= 2
            } | {i}
            self.live -= stopped
            self.spoiled |= stopped
            feed(self.router, msg(f"e{i}", "process_completed", success=True, output={}))
        settle(self.router.cancel_returned(job, supported))


@settings(max_examples=300, deadline=None)
@given(st.lists(op, max_size=60))
def test_random_orders_end_every_joined_job_exactly_once(steps: list[tuple[Any, ...]]) -> None:
    model = Model()
    for step in steps:
        model.apply(step)
        for job in model.router.jobs.values():
            assert not job.core.done  # a job that ended is never routed to again
    for i in model.jobs:
        if i not in model.joined:
            model.apply(("join_return", i))
    # Every job the app ran to its end without a break or cancel got all its outputs,
    # in order, whether they came before or after its join returned.
    for i, job in model.jobs.items():
        if model.sent[i] == len(SCRIPT) and i not in model.spoiled:
            if not job.core.cancel_requested:
                assert job.core.outcome() == "result" and job.core.outputs[:2] == [3, 4]
    settle(model.router.close())
    for i, job in model.jobs.items():
        assert job.ends == 1, (i, job.stages)
    assert not model.router.pending
