"""Drivers of streaming inputs: feed a caller's (async) iterable of chunks to a job.

The schedule is ``_stream_plan.plan``; these only carry its steps out. The first chunk
goes in the queue join (the session's ordinary submit); each later one is uploaded and
posted to ``{P}/stream/{event_id}``. The job's own ``on()`` callbacks say when the app
answered a chunk (a ``data`` update) or the job ended, so the session modules need
no hook. A blocking call feeds on the calling thread (or task); ``submit`` feeds on a
thread (sync) or a task (async) of its own, which ends with the job.

If the iterable raises, or a chunk is bad, the job fails with that error and the app
is asked to cancel the event; cancelling the job stops the feed and closes the
iterable.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from . import _transfer
from ._chunks import as_upload
from ._answers import JSON, dumps
from ._inputs import Pending, collect, substitute, uploads_of
from ._steps import Steps
from ._stream_plan import END, PULL, Close, Send, Sleep, Step, StreamInput, WaitAck, plan
from ._httperrors import status_error
from .endpoint import Endpoint
from .errors import APITimeoutError, GradioError, ValidationError
from .files import is_file_like
from .jobs import AsyncJob, Job, state_of

if TYPE_CHECKING:
    from ._async_session import AsyncSession
    from ._connection import Connection
    from ._session import SyncSession

__all__ = ["afeed", "feed"]

log = logging.getLogger("gradio_codegen")
_TASKS: set[asyncio.Future[Any]] = set()


class _Feed:
    """What both drivers share: the values, the chunk slot and the app's answers."""

    def __init__(self, conn: Connection, endpoint: Endpoint[Any], values: Sequence[Any]) -> None:
        stream = endpoint.stream
        assert stream is not None
        self.conn = conn
        self.endpoint = endpoint
        self.stream: StreamInput = stream
        self.values = list(values)
        self.name = endpoint.params[stream.param].name
        self.acks = 0
        self.job: Job[Any] | AsyncJob[Any] | None = None

    def with_chunk(self, chunk: Any) -> list[Any]:
        values = list(self.values)
        values[self.stream.param] = as_upload(chunk, audio=self.stream.audio, param=self.name)
        return values

    def no_chunk(self) -> ValidationError:
        return ValidationError(
            f"/{self.endpoint.api_name}: argument {self.name!r} gave no chunk to stream",
            parameter=self.name,
        )

    def not_iterable(self, what: str, value: Any) -> ValidationError:
        return ValidationError(
            f"/{self.endpoint.api_name}: argument {self.name!r} streams: pass {what} of "
            f"chunks, got {type(value).__name__}",
            parameter=self.name,
        )

    def pending(self, values: list[Any]) -> Pending:
        """A chunk's values checked, with its files to upload (refused if too big)."""
        pending = collect(self.endpoint, self.endpoint.check(values))
        _transfer.check_size(self.conn, pending.uploads)
        return pending

    def ended(self) -> bool:
        return self.job is None or self.job.done()

    def post(self, data: list[Any] | None) -> tuple[str, str, str]:
        """Method, URL and purpose of posting a chunk's ``data`` (None: the close)."""
        assert self.job is not None and self.job.event_id is not None
        route = f"stream/{self.job.event_id}" + ("/close" if data is None else "")
        return "POST", self.conn.url(route), "sending a stream chunk"

    def body(self, data: list[Any] | None) -> bytes:
        assert self.job is not None
        if data is None:
            return b"{}"
        return dumps(self.conn.join_body(
            self.endpoint.fn_index, data, state_of(self.job).core.session_hash,
            self.endpoint.oauth_token is not None,
        ))

    def gone(self, close: bool) -> bool:
        """After a transport error: whether it does not matter (the close of a stream,
        or the event already ended)."""
        return close or self.ended()

    def posted(self, status: int, close: bool, response: Any) -> bool:
        """Whether the app took a chunk; its errors raise, unless the event is gone."""
        if status < 400:
            return True
        if close or status == 404 or self.ended():
            return False  # the event ended (5.x answers 500 for a forgotten one)
        raise status_error(response, "sending a stream chunk")

    def timeout_error(self) -> APITimeoutError:
        return APITimeoutError(
            f"/{self.endpoint.api_name}: the app did not answer a stream chunk within "
            f"{self.conn.stream_timeout} s"
        )


def _is_iterable(value: Any) -> bool:
    """An iterable of chunks: not a str, bytes, dict or file (one chunk, or lines)."""
    return (
        hasattr(value, "__iter__")
        and not isinstance(value, (str, bytes, bytearray, dict))
        and not is_file_like(value)
    )


# -- sync ------------------------------------------------------------------------------


class _SyncFeed(_Feed):
    def __init__(self, session: SyncSession, endpoint: Endpoint[Any], values: Sequence[Any]) -> None:
        super().__init__(session.conn, endpoint, values)
        self.session = session
        self.cond = threading.Condition()
        source = self.values[self.stream.param]
        if not _is_iterable(source):
            raise self.not_iterable("an iterable", source)
        self.chunks: Iterator[Any] = iter(source)

    def start(self) -> Job[Any]:
        first = next(self.chunks, END)
        if first is END:
            raise self.no_chunk()
        job: Job[Any] = self.session.submit(self.endpoint, self.with_chunk(first))
        self.job = job
        job.on("data", self._answered).on("status", self._changed)
        return job

    def _answered(self, _value: object) -> None:
        with self.cond:
            self.acks += 1
            self.cond.notify_all()

    def _changed(self, _status: object) -> None:
        with self.cond:
            self.cond.notify_all()

    def run(self) -> None:
        assert isinstance(self.job, Job)
        steps = Steps(plan(self.stream, time.monotonic))
        try:
            for step in steps:
                steps.answer(self._do(step))
        except BaseException as exc:
            self._abort(self.job, exc)
            if not isinstance(exc, Exception):
                raise
        finally:
            close = getattr(self.chunks, "close", None)
            if callable(close):
                close()

    def _do(self, step: Step) -> Any:
        if isinstance(step, WaitAck):
            with self.cond:
                if not self.cond.wait_for(
                    lambda: self.acks >= step.count or self.ended(), self.conn.stream_timeout
                ):
                    raise self.timeout_error()
            return not self.ended()
        if isinstance(step, Sleep):
            with self.cond:
                self.cond.wait_for(self.ended, step.seconds)
            return not self.ended()
        if step is PULL:
            return next(self.chunks, END)
        assert isinstance(step, (Send, Close))
        data = None if isinstance(step, Close) else self._data(self.with_chunk(step.chunk))
        try:
            response = self.conn._send(*self.post(data), content_type=JSON, content=self.body(data))
        except GradioError:
            if not self.gone(data is None):
                raise
            return False
        return self.posted(response.status_code, data is None, response)

    def _data(self, values: list[Any]) -> list[Any]:
        pending = self.pending(values)
        paths = self.conn.upload(uploads_of(pending)) if pending.uploads else []
        return self.endpoint.layout(substitute(pending, paths))

    def _abort(self, job: Job[Any], exc: BaseException) -> None:
        """End the job for a failure of the feed, and ask the app to stop the event."""
        if job.done():
            return
        if not isinstance(exc, Exception):
            job.cancel()
            return
        state_of(job).fail(exc)
        try:
            assert job.event_id is not None
            self.conn.cancel(self.endpoint.fn_index, job.event_id, state_of(job).core.session_hash)
        except GradioError as error:
            log.warning("could not cancel the stream after its feed failed: %s", error)


def feed(
    session: SyncSession, endpoint: Endpoint[Any], values: Sequence[Any], *, background: bool
) -> Job[Any]:
    """Submit a streaming job and feed it: on this thread, or on a thread of its own."""
    driver = _SyncFeed(session, endpoint, values)
    job = driver.start()
    if background:
        threading.Thread(
            target=driver.run, daemon=True, name=f"gradio-codegen-feed-{job.event_id}"
        ).start()
    else:
        driver.run()
    return job


# -- async -----------------------------------------------------------------------------


class _AsyncFeed(_Feed):
    def __init__(
        self, session: AsyncSession, endpoint: Endpoint[Any], values: Sequence[Any]
    ) -> None:
        super().__init__(session.conn, endpoint, values)
        self.session = session
        self.changed = asyncio.Event()
        source = self.values[self.stream.param]
        self.chunks: AsyncIterator[Any] | Iterator[Any]
        if hasattr(source, "__aiter__"):
            self.chunks = source.__aiter__()
        elif _is_iterable(source):
            self.chunks = iter(source)
        else:
            raise self.not_iterable("an async iterable or an iterable", source)

    async def _next(self) -> Any:
        if isinstance(self.chunks, Iterator):
            return next(self.chunks, END)
        try:
            return await self.chunks.__anext__()
        except StopAsyncIteration:
            return END

    async def start(self) -> AsyncJob[Any]:
        first = await self._next()
        if first is END:
            raise self.no_chunk()
        job: AsyncJob[Any] = await self.session.submit(self.endpoint, self.with_chunk(first))
        self.job = job
        job.on("data", self._answered).on("status", self._changed)
        return job

    def _answered(self, _value: object) -> None:
        self.acks += 1
        self.changed.set()

    def _changed(self, _status: object) -> None:
        self.changed.set()

    async def _until(self, ready: Any, timeout: float | None) -> bool:
        """Wait until ``ready()``; False when ``timeout`` passed first."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not ready():
            self.changed.clear()
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except asyncio.TimeoutError:
                return bool(ready())
        return True

    async def run(self) -> None:
        assert isinstance(self.job, AsyncJob)
        steps = Steps(plan(self.stream, time.monotonic))
        try:
            for step in steps:
                steps.answer(await self._do(step))
        except BaseException as exc:
            await self._abort(self.job, exc)
            if not isinstance(exc, Exception):
                raise
        finally:
            aclose = getattr(self.chunks, "aclose", None)
            close = getattr(self.chunks, "close", None)
            if callable(aclose):
                await aclose()
            elif callable(close):
                close()

    async def _do(self, step: Step) -> Any:
        if isinstance(step, WaitAck):
            if not await self._until(
                lambda: self.acks >= step.count or self.ended(), self.conn.stream_timeout
            ):
                raise self.timeout_error()
            return not self.ended()
        if isinstance(step, Sleep):
            await self._until(self.ended, step.seconds)
            return not self.ended()
        if step is PULL:
            return await self._next()
        assert isinstance(step, (Send, Close))
        data = None if isinstance(step, Close) else await self._data(self.with_chunk(step.chunk))
        try:
            response = await self.conn._asend(*self.post(data), content_type=JSON, content=self.body(data))
        except GradioError:
            if not self.gone(data is None):
                raise
            return False
        return self.posted(response.status_code, data is None, response)

    async def _data(self, values: list[Any]) -> list[Any]:
        pending = self.pending(values)
        paths = await self.conn.aupload(uploads_of(pending)) if pending.uploads else []
        return self.endpoint.layout(substitute(pending, paths))

    async def _abort(self, job: AsyncJob[Any], exc: BaseException) -> None:
        if job.done():
            return
        if not isinstance(exc, Exception):
            # Cancelled (or interrupted): stop the event without awaiting in a task
            # that is being cancelled.
            task = asyncio.ensure_future(job.cancel())
            _TASKS.add(task)
            task.add_done_callback(_TASKS.discard)
            return
        state_of(job).fail(exc)
        try:
            assert job.event_id is not None
            await self.conn.acancel(self.endpoint.fn_index, job.event_id, state_of(job).core.session_hash)
        except GradioError as error:
            log.warning("could not cancel the stream after its feed failed: %s", error)


async def afeed(
    session: AsyncSession, endpoint: Endpoint[Any], values: Sequence[Any], *, background: bool
) -> AsyncJob[Any]:
    """Submit a streaming job and feed it: in this task, or in a task of its own."""
    driver = _AsyncFeed(session, endpoint, values)
    job = await driver.start()
    if background:
        task = asyncio.get_running_loop().create_task(driver.run())
        _TASKS.add(task)
        task.add_done_callback(_TASKS.discard)
    else:
        await driver.run()
    return job
