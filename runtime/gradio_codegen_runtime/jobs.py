"""Jobs: a submitted call you can wait on, iterate, watch, and cancel.

``Job`` (sync) and ``AsyncJob`` (async) expose the same surface as the Gradio JS
client's ``submit()``: ``on("data"|"status", fn)`` callbacks, iteration over every
output update, ``status()``, ``cancel()``, ``result(timeout=)`` and ``event_id``.
Both are driven by one ``JobCore`` fed from the session's shared event stream.

The sessions see a job only through its ``JobState`` / ``AsyncJobState``: the
``JobCore`` plus ``apply`` (messages), ``fail`` and ``cancelled``, each of which wakes
the job's waiters and runs its callbacks. A job reaches its session only through
``cancel`` (``Canceller``), so this module imports no session. Code that drives a job
from outside a session (a streaming input's feed) gets its state with ``state_of``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from typing import (
    Any, AsyncIterator, Awaitable, Callable, Generator, Generic, Iterator, Literal,
    Protocol, TypeVar, overload,
)

from ._core import END, WAIT, Event, JobCore
from .errors import JobTimeoutError
from .status import Status

__all__ = ["AsyncJob", "AsyncJobState", "Job", "JobState", "state_of"]

T = TypeVar("T")
EventName = Literal["data", "status"]
log = logging.getLogger("gradio_codegen")


def _check_event(event: str) -> None:
    if event not in ("data", "status"):
        raise ValueError(f"unknown event {event!r}; use 'data' or 'status'")


class Canceller(Protocol):
    """The session of a sync job, as the job sees it."""

    def cancel(self, state: JobState) -> bool: ...


class Driver(Protocol):
    """What a sync job waits through: its session, which may read the stream on the
    waiting thread instead of waking it from a reader thread for each message."""

    def serve(self, state: JobState, ready: Callable[[], bool]) -> None: ...


class AsyncCanceller(Protocol):
    """The session of an async job, as the job sees it."""

    def cancel(self, state: AsyncJobState) -> Awaitable[bool]: ...


class JobState:
    """A sync job as its session drives it: each change to the core is made, and its
    callbacks run, under the job's condition, which wakes the job's waiters."""

    __slots__ = ("core", "cond", "callbacks", "driver")

    def __init__(self, core: JobCore) -> None:
        self.core = core
        #: The session its waiters wait through (None: they wait on ``cond``).
        self.driver: Driver | None = None
        #: Held while the core changes; the session also holds it while it hands a
        #: newly registered job its backlog, so later messages wait behind it.
        self.cond = threading.Condition(threading.RLock())
        self.callbacks: dict[str, list[Callable[[Any], object]]] = {"data": [], "status": []}

    def apply(self, messages: list[dict[str, Any]]) -> bool:
        """Feed messages to the job; True once it is done."""
        with self.cond:
            for message in messages:
                self._emit(self.core.feed(message))
            return self.core.done

    def fail(self, error: BaseException) -> None:
        with self.cond:
            self._emit(self.core.fail(error))

    def cancelled(self, reason: str | None = None) -> None:
        with self.cond:
            self._emit(self.core.cancel(reason))

    def _emit(self, events: list[Event]) -> None:
        # Waiters wait for an output or the end; a status change alone (queued,
        # started, progress) would only wake them to sleep again: a thread switch each.
        if self.core.done or any(name == "data" for name, _ in events):
            self.cond.notify_all()
        for name, value in events:
            for callback in self.callbacks[name]:
                _safe_call(callback, value)


class AsyncJobState:
    """An async job as its session drives it (on the event loop's thread)."""

    __slots__ = ("core", "changed", "finished", "callbacks")

    def __init__(self, core: JobCore) -> None:
        self.core = core
        self.changed = asyncio.Event()
        self.finished = asyncio.Event()
        self.callbacks: dict[str, list[Callable[[Any], object]]] = {"data": [], "status": []}

    def apply(self, messages: list[dict[str, Any]]) -> bool:
        """Feed messages to the job; True once it is done."""
        for message in messages:
            self._emit(self.core.feed(message))
        return self.core.done

    def fail(self, error: BaseException) -> None:
        self._emit(self.core.fail(error))

    def cancelled(self, reason: str | None = None) -> None:
        self._emit(self.core.cancel(reason))

    def _emit(self, events: list[Event]) -> None:
        if events:
            self.changed.set()
            if self.core.done:
                self.finished.set()
        for name, value in events:
            for callback in self.callbacks[name]:
                _safe_call(callback, value)


class _Job(Generic[T]):
    """What the sync and async jobs read alike from their core."""

    _core: JobCore

    def __repr__(self) -> str:
        return f"<{type(self).__name__} /{self._core.event_id} stage={self._core.status.stage}>"

    @property
    def event_id(self) -> str | None:
        """The server's id for this event."""
        return self._core.event_id

    def status(self) -> Status:
        """The latest status snapshot."""
        return self._core.status

    def done(self) -> bool:
        """True once the job completed, failed or was cancelled."""
        return self._core.done


class Job(_Job[T]):
    """A call running in the background (sync client)."""

    def __init__(self, state: JobState, session: Canceller) -> None:
        self._state = state
        self._session = session
        self._core = state.core
        self._cond = state.cond
        self._callbacks = state.callbacks

    def outputs(self) -> list[T]:
        """Every output update received so far (one per yield for generators)."""
        with self._cond:
            return list(self._core.outputs)

    def on(self, event: EventName, callback: Callable[[Any], object]) -> Job[T]:
        """Call ``callback`` for each ``"data"`` update or ``"status"`` change.

        Updates that already happened are replayed at once, so none is missed.
        Callbacks run on the thread reading the client's stream: keep them short.
        """
        _check_event(event)
        with self._cond:
            self._callbacks[event].append(callback)
            if event == "data":
                past: list[Any] = list(self._core.outputs)
            else:
                past = [self._core.status]
            for value in past:
                _safe_call(callback, value)
        return self

    def result(self, timeout: float | None = None) -> T:
        """Wait for the final value; raises the app's error, ``CancelledError``, or
        ``JobTimeoutError`` after ``timeout`` seconds (the job keeps running)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        driver = self._state.driver
        if driver is not None and deadline is None:
            core = self._core
            driver.serve(self._state, lambda: core.done)
        with self._cond:
            while not self._core.done:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise JobTimeoutError(f"no result within {timeout} s (the job continues)")
                self._cond.wait(remaining)
            return self._core.outcome()  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[T]:
        """Yield every output update as it arrives (generators: each yield)."""
        index = 0
        state, core = self._state, self._core
        while True:
            with self._cond:
                value = core.next_output(index)
                if value is WAIT and state.driver is None:
                    while value is WAIT:
                        self._cond.wait()
                        value = core.next_output(index)
            if value is WAIT:
                assert state.driver is not None
                state.driver.serve(state, lambda: index < len(core.outputs) or core.done)
                continue
            if value is END:
                return
            index += 1
            yield value

    def cancel(self) -> bool:
        """Cancel the job, queued or running; False if it had already finished.

        The job then ends as cancelled (``result()`` raises ``CancelledError``). Gradio's
        /cancel also stops other *running* jobs of the same endpoint in this session;
        they end as cancelled too. Gradio < 6 does not dequeue a queued job it was asked
        to cancel: the app still runs it later and its result is discarded.
        """
        with self._cond:
            if self._core.done:
                return False
            self._core.cancel_requested = True
        return self._session.cancel(self._state)


def _safe_call(callback: Callable[[Any], object], value: Any) -> None:
    try:
        result = callback(value)
        if inspect.isawaitable(result):
            asyncio.ensure_future(result)
    except Exception:  # a user callback must not break the stream
        log.exception("a job callback raised")


class AsyncJob(_Job[T]):
    """A call running in the background (async client). ``await job`` gives the result."""

    def __init__(self, state: AsyncJobState, session: AsyncCanceller) -> None:
        self._state = state
        self._session = session
        self._core = state.core
        self._changed = state.changed
        self._done = state.finished
        self._callbacks = state.callbacks

    def outputs(self) -> list[T]:
        return list(self._core.outputs)

    def on(self, event: EventName, callback: Callable[[Any], object]) -> AsyncJob[T]:
        """Like ``Job.on``; coroutine functions are scheduled on the running loop."""
        _check_event(event)
        self._callbacks[event].append(callback)
        past: list[Any] = list(self._core.outputs) if event == "data" else [self._core.status]
        for value in past:
            _safe_call(callback, value)
        return self

    async def result(self, timeout: float | None = None) -> T:
        """Like ``Job.result``: ``result(timeout=0)`` on a finished job returns its outcome."""
        if not self._done.is_set():
            # (asyncio.wait_for with a zero timeout gives up before the wait starts)
            try:
                await asyncio.wait_for(self._done.wait(), timeout)
            except asyncio.TimeoutError:
                raise JobTimeoutError(
                    f"no result within {timeout} s (the job continues)"
                ) from None
        return self._core.outcome()  # type: ignore[no-any-return]

    def __await__(self) -> Generator[Any, None, T]:
        return self.result().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        index = 0
        while True:
            value = self._core.next_output(index)
            if value is WAIT:
                self._changed.clear()
                await self._changed.wait()
            elif value is END:
                return
            else:
                index += 1
                yield value

    async def cancel(self) -> bool:
        if self._core.done:
            return False
        self._core.cancel_requested = True
        return await self._session.cancel(self._state)


@overload
def state_of(job: Job[Any]) -> JobState: ...


@overload
def state_of(job: AsyncJob[Any]) -> AsyncJobState: ...


def state_of(job: Job[Any] | AsyncJob[Any]) -> JobState | AsyncJobState:
    """The state a session drives ``job`` through (for the package, not for users)."""
    return job._state
