"""Jobs: a submitted call you can wait on, iterate, watch, and cancel.

``Job`` (sync) and ``AsyncJob`` (async) expose the same surface as the Gradio JS
client's ``submit()``: ``on("data"|"status", fn)`` callbacks, iteration over every
output update, ``status()``, ``cancel()``, ``result(timeout=)`` and ``event_id``.
Both are driven by one ``JobCore`` fed from the session's shared event stream.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from typing import (
    TYPE_CHECKING, Any, AsyncIterator, Callable, Generator, Generic, Iterator, Literal,
    TypeVar,
)

from ._core import Event, JobCore
from .errors import CancelledError, JobTimeoutError
from .status import Status

if TYPE_CHECKING:
    from ._async_session import AsyncSession
    from ._old_session import AsyncOldSession, OldSession
    from ._session import SyncSession

__all__ = ["AsyncJob", "Job"]

T = TypeVar("T")
EventName = Literal["data", "status"]
log = logging.getLogger("gradio_codegen")


def _check_event(event: str) -> None:
    if event not in ("data", "status"):
        raise ValueError(f"unknown event {event!r}; use 'data' or 'status'")


class Job(Generic[T]):
    """A call running in the background (sync client)."""

    def __init__(self, core: JobCore, session: SyncSession | OldSession) -> None:
        self._core = core
        self._session = session
        self._cond = threading.Condition(threading.RLock())
        self._callbacks: dict[str, list[Callable[[Any], object]]] = {"data": [], "status": []}
        self._generation = 0
        #: The session the job joined: /cancel must name it, and the client's current
        #: session may have changed since (``reset_session``, or a broken stream).
        self._session_hash = ""

    def __repr__(self) -> str:
        return f"<Job /{self._core.event_id} stage={self._core.status.stage}>"

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
        while True:
            with self._cond:
                while index >= len(self._core.outputs) and not self._core.done:
                    self._cond.wait()
                if index < len(self._core.outputs):
                    value = self._core.outputs[index]
                    index += 1
                else:
                    error = self._core.error
                    if error is None or (
                        isinstance(error, CancelledError) and self._core.cancel_requested
                    ):
                        return
                    raise error
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
        return self._session.cancel(self)

    # -- driven by the session -----------------------------------------------------

    def _process(self, messages: list[dict[str, Any]]) -> bool:
        with self._cond:
            for message in messages:
                self._emit(self._core.feed(message))
            return self._core.done

    def _fail(self, error: BaseException) -> None:
        with self._cond:
            self._emit(self._core.fail(error))

    def _end_cancelled(self, reason: str | None = None) -> None:
        with self._cond:
            self._emit(self._core.cancel(reason))

    def _emit(self, events: list[Event]) -> None:
        # Waiters wait for an output or the end; a status change alone (queued,
        # started, progress) would only wake them to sleep again: a thread switch each.
        if self._core.done or any(name == "data" for name, _ in events):
            self._cond.notify_all()
        for name, value in events:
            for callback in self._callbacks[name]:
                _safe_call(callback, value)


def _safe_call(callback: Callable[[Any], object], value: Any) -> None:
    try:
        result = callback(value)
        if inspect.isawaitable(result):
            asyncio.ensure_future(result)
    except Exception:  # a user callback must not break the stream
        log.exception("a job callback raised")


class AsyncJob(Generic[T]):
    """A call running in the background (async client). ``await job`` gives the result."""

    def __init__(self, core: JobCore, session: AsyncSession | AsyncOldSession) -> None:
        self._core = core
        self._session = session
        self._changed = asyncio.Event()
        self._done = asyncio.Event()
        self._callbacks: dict[str, list[Callable[[Any], object]]] = {"data": [], "status": []}
        self._generation = 0
        #: The session the job joined: /cancel must name it, and the client's current
        #: session may have changed since (``reset_session``, or a broken stream).
        self._session_hash = ""

    def __repr__(self) -> str:
        return f"<AsyncJob /{self._core.event_id} stage={self._core.status.stage}>"

    @property
    def event_id(self) -> str | None:
        return self._core.event_id

    def status(self) -> Status:
        return self._core.status

    def done(self) -> bool:
        return self._core.done

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
            if index < len(self._core.outputs):
                value = self._core.outputs[index]
                index += 1
                yield value
                continue
            if self._core.done:
                error = self._core.error
                if error is None or (
                    isinstance(error, CancelledError) and self._core.cancel_requested
                ):
                    return
                raise error
            self._changed.clear()
            await self._changed.wait()

    async def cancel(self) -> bool:
        if self._core.done:
            return False
        self._core.cancel_requested = True
        return await self._session.cancel(self)

    def _process(self, messages: list[dict[str, Any]]) -> bool:
        for message in messages:
            self._emit(self._core.feed(message))
        return self._core.done

    def _fail(self, error: BaseException) -> None:
        self._emit(self._core.fail(error))

    def _end_cancelled(self, reason: str | None = None) -> None:
        self._emit(self._core.cancel(reason))

    def _emit(self, events: list[Event]) -> None:
        if events:
            self._changed.set()
            if self._core.done:
                self._done.set()
        for name, value in events:
            for callback in self._callbacks[name]:
                _safe_call(callback, value)
