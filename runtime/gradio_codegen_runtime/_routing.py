"""The routing of a queue session's shared event stream, as a state machine with no I/O.

Every job of a session (protocols sse_v1 to sse_v3) gets its messages from one
``/queue/data`` stream, routed by ``event_id``. ``Router`` keeps what that takes: the
jobs by event id, the backlog of messages that arrive before their job's join returned,
the jobs each opening of the stream serves, and the stream's breaks. It decides which
job a message goes to, which jobs an ended or broken stream settles, and which jobs
Gradio's /cancel stopped too.

It never reads, writes, sleeps, locks, nor calls a job: the drivers (``_session`` over
threads, ``_async_session`` over asyncio) tell it what happened, under their own lock
when they have threads, and hand the endings it returns to ``settle`` outside that lock,
so user callbacks never run while the session is locked. Its own tests need no server.
"""

from __future__ import annotations

import enum
import logging
import uuid
from typing import Any, Callable, Generic, Protocol, TypeVar

from ._core import JobCore
from .errors import APIConnectionError, CancelledError, GradioError, ProtocolError

__all__ = [
    "BROKE_WHILE_JOINING", "CLOSE", "ENDED_EARLY", "FORGOTTEN_REASON", "LOCAL_CANCEL_REASON",
    "MAX_HICCUPS", "PEER_CANCEL_REASON", "Ending", "Router", "Routed", "Signal", "Stream",
    "StreamHiccup", "deliver", "dispatch_all", "session_error", "settle",
]

log = logging.getLogger("gradio_codegen")

PEER_CANCEL_REASON = (
    "stopped by the app: Gradio's /cancel stops every running job of the same endpoint "
    "in a session, and another job of this endpoint was cancelled"
)
FORGOTTEN_REASON = "the app no longer knows this job (it was restarted or dropped the session)"
BROKE_WHILE_JOINING = (
    "the event stream broke while the job was joining the queue; the app drops a "
    "session's queued jobs when its stream breaks, so it may not have run"
)
LOCAL_CANCEL_REASON = "cancelled locally; the app could not be asked to stop the job"
CLOSED_REASON = "the client was closed"
ENDED_EARLY = "the event stream ended before close_stream"
#: Stream errors in a row (with no job message between them) before giving up.
MAX_HICCUPS = 3
#: Messages kept for event ids no job claimed yet (the oldest id is dropped beyond).
MAX_UNCLAIMED = 10_000


class StreamHiccup(Exception):
    """The app reported an error on the stream but kept the session: reopen it.

    Gradio 4.x/5.x crash their stream loop (``KeyError``) when a job that /cancel
    already completed finishes later; the session's message queue survives, so the
    jobs still pending must not be failed.
    """


def session_error(message: dict[str, Any]) -> Exception:
    """The exception for an ``unexpected_error`` that names no job."""
    text = message.get("message")
    text = text if isinstance(text, str) else "unknown"
    if message.get("session_not_found"):
        return ProtocolError(FORGOTTEN_REASON)
    if "stopped" in text.lower():
        return ProtocolError(f"the app reported an error: {text}")
    return StreamHiccup(text)


class Routed(Protocol):
    """What the router needs of a job: its protocol state (``jobs.JobState``)."""

    @property
    def core(self) -> JobCore: ...

    def fail(self, error: BaseException) -> None: ...

    def cancelled(self, reason: str | None = None) -> None: ...


J = TypeVar("J", bound=Routed)

#: A job to end: with ``error``, or (``error`` None) as cancelled for ``reason``.
Ending = tuple[J, "BaseException | None", "str | None"]


def settle(endings: list[Ending[J]]) -> None:
    """End the jobs the router said to end (outside any session lock)."""
    for job, error, reason in endings:
        if error is None:
            job.cancelled(reason)
        else:
            job.fail(error)


class Fed(Protocol):
    """A job as a driver feeds it (``jobs.JobState``, ``jobs.AsyncJobState``)."""

    def apply(self, messages: list[dict[str, Any]]) -> bool: ...


F = TypeVar("F", bound=Fed)


def deliver(
    target: F | Signal | None, message: dict[str, Any], finished: Callable[[F], None]
) -> bool:
    """Give ``message`` to the job ``Router.message`` routed it to (``finished`` is
    told when that ended the job); True when it was close_stream."""
    if target is None:
        return False
    if target is CLOSE:
        return True
    assert not isinstance(target, Signal)
    if target.apply([message]):
        finished(target)
    return False


def dispatch_all(
    messages: list[dict[str, Any]], dispatch: Callable[[dict[str, Any]], bool]
) -> bool:
    """Hand decoded messages to a driver's ``dispatch`` in order; True once one was
    close_stream (the app sends nothing after it, so the rest are dropped)."""
    for message in messages:
        if dispatch(message):
            return True
    return False


class Signal(enum.Enum):
    """What ``Router.message`` returns besides a job: the app closed the stream."""

    CLOSE = "close_stream"


CLOSE = Signal.CLOSE


class Stream:
    """One opening of the session's stream, with the hiccups it had in a row."""

    __slots__ = ("session_hash", "suspects", "hiccups")

    def __init__(self, session_hash: str, suspects: list[str]) -> None:
        self.session_hash = session_hash
        #: Jobs pending when it opened: the app ends a stream only when none of the
        #: session's jobs is pending, so if it ends (not breaks) while they still are,
        #: the app no longer knows them.
        self.suspects = suspects
        self.hiccups = 0


class Router(Generic[J]):
    """The routing state of one queue session (see the module docstring)."""

    def __init__(self) -> None:
        self.session_hash = uuid.uuid4().hex
        self.jobs: dict[str, J] = {}
        self._unclaimed: dict[str, list[dict[str, Any]]] = {}
        #: Broken streams so far: the app drops a session's queued jobs when its stream
        #: disconnects, so a join that overlapped a break may be lost.
        self.breaks = 0
        #: A message for a job arrived since the stream was (re)opened.
        self.routed = False
        self.closed = False

    @property
    def pending(self) -> bool:
        """Jobs wait for messages (a stream must be read for them)."""
        return bool(self.jobs)

    def reset(self) -> None:
        """Later jobs join a new session (fresh ``gr.State``)."""
        self.session_hash = uuid.uuid4().hex

    def target(self) -> tuple[str, int]:
        """The session to join and the break count it belongs to, read together: a
        break changes both, so a join never pairs a dead session with a live count."""
        return self.session_hash, self.breaks

    # -- jobs ------------------------------------------------------------------------

    def joined(
        self, job: J, event_id: str, breaks: int
    ) -> list[dict[str, Any]] | BaseException:
        """The app took ``job`` as ``event_id`` (joined when the count was ``breaks``).

        Returns the messages that came for it before (to deliver first, in order), or
        the error to fail it with: the stream broke while it joined, so its session is
        dead and no stream will ever serve it.
        """
        if self.closed:
            raise GradioError("the client is closed")
        job.core.event_id = event_id
        if breaks != self.breaks:
            return APIConnectionError(BROKE_WHILE_JOINING)
        self.jobs[event_id] = job
        return self._unclaimed.pop(event_id, None) or []

    def message(self, message: dict[str, Any]) -> J | Signal | None:
        """Route one message: the job to deliver it to, ``CLOSE`` when the app closed
        the stream, or None (kept for a job not joined yet, or nothing to do). Raises
        for an error of the whole session (``session_error``)."""
        kind = message.get("msg")
        if kind == "close_stream":
            return CLOSE
        if kind == "heartbeat":
            return None
        event_id = message.get("event_id")
        if not isinstance(event_id, str):
            if kind == "unexpected_error":
                raise session_error(message)
            if kind == "__malformed__":
                log.warning("ignored a malformed event from the app")
            return None
        self.routed = True
        job = self.jobs.get(event_id)
        if job is None:
            unclaimed = self._unclaimed
            if len(unclaimed) >= MAX_UNCLAIMED and event_id not in unclaimed:
                unclaimed.pop(next(iter(unclaimed)))
            unclaimed.setdefault(event_id, []).append(message)
        return job

    def finished(self, job: J) -> list[Ending[J]]:
        """``job`` ended on a message: forget it; when it was being cancelled, the
        app's /cancel stopped the endpoint's other running jobs too (``peers``)."""
        self._forget(job)
        if job.core.cancel_requested:
            return self._peers(job)
        return []

    def cancel_returned(self, job: J, supported: bool) -> list[Ending[J]]:
        """The app answered /cancel for ``job`` (``supported``: it could be asked)."""
        if not supported:
            self._forget(job)
            return [(job, None, LOCAL_CANCEL_REASON)]
        core = job.core
        if core.done and not isinstance(core.error, CancelledError):
            # The job finished before the app got /cancel, so the peer rule already ran
            # on its last message, too early: the app has only now stopped the
            # endpoint's other running jobs, and they will send nothing more.
            return self._peers(job)
        return []

    def _peers(self, job: J) -> list[Ending[J]]:
        """Gradio's /cancel stops every running job of the endpoint in the session:
        those were stopped with ``job`` and will never complete."""
        core = job.core
        peers = [
            j for j in self.jobs.values()
            if j is not job and j.core.fn_index == core.fn_index and j.core.started
            and j.core.session_hash == core.session_hash
            and not j.core.done and not j.core.cancel_requested
        ]
        for peer in peers:
            self._forget(peer)
        return [(peer, None, PEER_CANCEL_REASON) for peer in peers]

    def _forget(self, job: J) -> None:
        event_id = job.core.event_id
        if event_id is not None and self.jobs.get(event_id) is job:
            del self.jobs[event_id]

    # -- the stream ------------------------------------------------------------------

    def open(self) -> Stream | None:
        """A stream must be read for the pending jobs; None when none is needed."""
        if not self.jobs or self.closed:
            return None
        return Stream(self.session_hash, list(self.jobs))

    def connected(self) -> None:
        """The stream's answer arrived (its messages follow)."""
        self.routed = False

    def hiccup(self, stream: Stream, error: StreamHiccup) -> None:
        """The app reported a session error that keeps the session: reopen, unless it
        came ``MAX_HICCUPS`` times in a row with no job message between."""
        stream.hiccups = 1 if self.routed else stream.hiccups + 1
        if stream.hiccups > MAX_HICCUPS:
            raise ProtocolError(f"the app reported an error: {error}") from None
        log.debug("reopening the event stream after: %s", error)

    def body_ended(self, protocol: str) -> APIConnectionError | None:
        """The stream's body ended without close_stream: with sse_v3, which always
        sends it, that is a break (the error to fail pending jobs with)."""
        if protocol == "sse_v3" and not self.closed:
            return APIConnectionError(ENDED_EARLY)
        return None

    def stream_ended(self, stream: Stream) -> list[Ending[J]]:
        """The stream ended cleanly: jobs it was opened for that are still pending
        were forgotten by the app (a restart, a dropped session)."""
        endings: list[Ending[J]] = []
        for event_id in stream.suspects:
            job = self.jobs.pop(event_id, None)
            if job is not None:
                endings.append(self._ending(job, ProtocolError(FORGOTTEN_REASON)))
        return endings

    def stream_failed(self, error: BaseException) -> list[Ending[J]]:
        """The stream broke: every pending job fails, and later jobs join a new session.

        Reusing the session would let a job join it before the app noticed the broken
        stream; the app would then drop that job, or its old stream would take the
        job's messages. ``gr.State`` therefore starts fresh after a break.
        """
        self.breaks += 1
        self.session_hash = uuid.uuid4().hex
        self._unclaimed.clear()  # messages of the old session's jobs, all failed now
        endings = [self._ending(job, error) for job in self.jobs.values()]
        self.jobs.clear()
        return endings

    def close(self) -> list[Ending[J]]:
        """The client closes: pending jobs end as cancelled."""
        self.closed = True
        endings: list[Ending[J]] = [(job, None, CLOSED_REASON) for job in self.jobs.values()]
        self.jobs.clear()
        return endings

    @staticmethod
    def _ending(job: J, error: BaseException) -> Ending[J]:
        # A job being cancelled ends as cancelled whatever stopped it.
        return (job, None, None) if job.core.cancel_requested else (job, error, None)
