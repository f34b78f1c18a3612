"""One queue session of the async client: the asyncio twin of ``_session``.

Same routing rules as the sync session; joins run on the caller's event loop, and the
stream is read in the event loop's read callbacks (``_StreamFeed``) when the hot path has
an idle kept-alive connection for it, else (a new connection, an answer it does not take,
a reopened stream) by an asyncio task. As there, a broken stream fails every pending job
and moves later jobs to a new session (see ``_session``).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from contextlib import aclosing
from typing import Any, Callable, Generator, Sequence

from . import _http, _transfer
from ._connection import Connection, _is_connect, redact_url, retry_after, status_error
from ._core import JobCore
from ._h1_async import achunks
from ._wire import Answer
from ._inputs import collect, substitute, uploads_of
from ._session import (
    BROKE_WHILE_JOINING,
    FORGOTTEN_REASON,
    MAX_HICCUPS,
    PEER_CANCEL_REASON,
    StreamHiccup,
    session_error,
)
from ._sse import SSEDecoder
from .endpoint import Endpoint
from .errors import (
    APIConnectionError,
    APITimeoutError,
    CancelledError,
    GradioError,
    ProtocolError,
)
from ._outputs import wrap_files
from .jobs import AsyncJob

__all__ = ["AsyncSession"]

log = logging.getLogger("gradio_codegen")
_RETRY_STATUS = (429, 502, 503, 504)
_MAX_UNCLAIMED = 10_000


class AsyncSession:
    """Queue session shared by every job of one async client."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.session_hash = uuid.uuid4().hex
        self._jobs: dict[str, AsyncJob[Any]] = {}
        self._unclaimed: dict[str, list[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | _StreamFeed | None = None
        self._generation = 0
        self._closed = False
        self._routed = False
        self._breaks = 0  # broken streams so far (see SyncSession._breaks)

    def reset(self) -> None:
        """Start a new session (fresh ``gr.State``) for later jobs."""
        self.session_hash = uuid.uuid4().hex

    async def submit(self, endpoint: Endpoint[Any], values: Sequence[Any]) -> AsyncJob[Any]:
        checked = endpoint.check(values)
        info = await self.conn.aensure_ready()
        if info.protocol == "sse":
            raise ProtocolError(
                f"this app runs Gradio {info.version} (protocol 'sse', 4.0-4.8); "
                "gradio-codegen needs Gradio 4.9 or later"
            )
        pending = collect(endpoint, checked)
        if pending.uploads:
            _transfer.check_size(self.conn, pending.uploads)
            paths = await _transfer.aupload(self.conn, uploads_of(pending))
        else:
            paths = []
        data = endpoint.layout(substitute(pending, paths))
        conn = self.conn

        def decode(raw: list[Any]) -> Any:
            return endpoint.shape(wrap_files(raw, conn))

        core = JobCore(endpoint.fn_index, info.protocol, decode, endpoint.generator)
        job: AsyncJob[Any] = AsyncJob(core, self)
        # A break changes both (see _fail_all); no await between the two reads.
        breaks, job._session_hash = self._breaks, self.session_hash
        event_id = await self.conn.ajoin(
            endpoint.fn_index, data, job._session_hash, endpoint.oauth_token is not None
        )
        if self._closed:
            raise GradioError("the client is closed")
        core.event_id = event_id
        if breaks != self._breaks:
            # The stream broke while joining: the job's session is dead, no stream
            # will ever serve it.
            job._fail(APIConnectionError(BROKE_WHILE_JOINING))
            return job
        job._generation = self._generation
        self._jobs[event_id] = job
        backlog = self._unclaimed.pop(event_id, [])
        if backlog and job._process(backlog):
            self._jobs.pop(event_id, None)
        reader = self._reader
        if isinstance(reader, _StreamFeed) and reader.ended.get_loop() is not (
            asyncio.get_running_loop()
        ):
            reader.close()  # its event loop ended (asyncio.run called again)
            self._reader = reader = None
        if reader is None and self._jobs:
            self._start_reader()
        return job

    async def cancel(self, job: AsyncJob[Any]) -> bool:
        core = job._core
        assert core.event_id is not None
        try:
            supported = await self.conn.acancel(core.fn_index, core.event_id, job._session_hash)
        except GradioError as exc:
            log.warning("cancel request failed: %s", exc)
            supported = False
        if not supported:
            job._end_cancelled("cancelled locally; the app could not be asked to stop the job")
            self._jobs.pop(core.event_id, None)
        elif core.done and not isinstance(core.error, CancelledError):
            self._after_cancel(job)  # finished before the app got /cancel: see SyncSession
        return True

    def _after_cancel(self, job: AsyncJob[Any]) -> None:
        fn_index = job._core.fn_index
        peers = [
            j for j in self._jobs.values()
            if j is not job and j._core.fn_index == fn_index and j._core.started
            and j._session_hash == job._session_hash
            and not j._core.done and not j._core.cancel_requested
        ]
        for peer in peers:
            peer._end_cancelled(PEER_CANCEL_REASON)
            if peer._core.event_id:
                self._jobs.pop(peer._core.event_id, None)

    def _start_reader(self) -> None:
        """Read the stream for the pending jobs: in the event loop's read callbacks when
        the hot path has an idle connection for it (``_StreamFeed``), else in a task."""
        self._generation += 1
        generation = self._generation
        # Pending when the stream ends, these jobs were forgotten by the app (see _done).
        suspects = [e for e, j in self._jobs.items() if j._generation < generation]
        loop = asyncio.get_running_loop()
        feed = _StreamFeed(self, suspects, loop)
        stop = self.conn.feed_stream(self.conn.stream_url(self.session_hash), feed)
        if stop is None:
            self._reader = loop.create_task(self._run(suspects))
        else:
            feed.stop = stop
            self._reader = feed

    async def _run(
        self, suspects: list[str], first: _http.Response | None = None, hiccups: int = 0
    ) -> None:
        """Read one stream (reopened after hiccups) in a task: ``first`` is the stream
        already open when a ``_StreamFeed`` handed it over."""
        try:
            await self._read_stream(self.session_hash, first, hiccups)
        except GradioError as exc:
            self._done(suspects, exc)
            return
        except asyncio.CancelledError:
            if self._reader is asyncio.current_task():
                self._reader = None  # (an event loop's end cancels its tasks)
            raise
        except Exception as exc:
            self._done(suspects, _crash(exc))
            return
        self._done(suspects, None)

    def _done(self, suspects: list[str], error: BaseException | None) -> None:
        """A stream ended (``error``: it broke): settle its jobs, and start the next
        stream for jobs that joined meanwhile."""
        self._reader = None
        if error is not None:
            self._fail_all(error)
        else:
            for event_id in suspects:
                job = self._jobs.pop(event_id, None)
                if job is None:
                    continue
                if job._core.cancel_requested:
                    job._end_cancelled()
                else:
                    job._fail(ProtocolError(FORGOTTEN_REASON))
        if self._jobs and not self._closed:
            self._start_reader()

    def _fed(self, feed: _StreamFeed, error: BaseException | None) -> None:
        """A ``_StreamFeed`` ended: as ``_run`` would after ``_read_stream``."""
        if self._reader is not feed:
            return  # the client was closed
        if error is None and not feed.drained:
            try:
                self._body_ended(feed.decoder)
            except Exception as exc:
                error = exc
        feed.ended.set_result(None)
        if feed.drained and not isinstance(error, StreamHiccup):
            error = None  # what the stream had to say has arrived
        if isinstance(error, StreamHiccup):
            log.debug("reopening the event stream after: %s", error)
            loop = feed.ended.get_loop()
            self._reader = loop.create_task(self._run(feed.suspects, hiccups=1))
            return
        if error is None or isinstance(error, GradioError):
            self._done(feed.suspects, error)
        elif isinstance(error, _http.TimeoutException):
            self._done(feed.suspects, self._silent())
        elif isinstance(error, _http.TransportError):
            self._done(feed.suspects, self._broke(error))
        else:
            self._done(feed.suspects, _crash(error))

    def _handed(self, feed: _StreamFeed, response: _http.Response) -> None:
        """A ``_StreamFeed`` got an answer it does not take (an error status, cookies,
        an encoding): a reader task reads it as if it had opened it."""
        self.conn.keep_cookies(response)
        feed.ended.set_result(None)
        self._reader = feed.ended.get_loop().create_task(self._run(feed.suspects, response))

    def _silent(self) -> APITimeoutError:
        return APITimeoutError(
            f"no message from {redact_url(self.conn.base_url)} within the read timeout"
        )

    def _broke(self, exc: BaseException) -> APIConnectionError:
        return APIConnectionError(
            f"the event stream from {redact_url(self.conn.base_url)} broke "
            f"({type(exc).__name__})"
        )

    def _fail_all(self, error: BaseException) -> None:
        """Fail every pending job and move later jobs to a new session (the app may
        not have noticed the break yet; see ``SyncSession._fail_all``)."""
        self._breaks += 1
        self.session_hash = uuid.uuid4().hex
        self._unclaimed.clear()
        jobs = list(self._jobs.values())
        self._jobs.clear()
        for job in jobs:
            if job._core.cancel_requested:
                job._end_cancelled()
            else:
                job._fail(error)

    async def _read_stream(
        self, session_hash: str, first: _http.Response | None = None, hiccups: int = 0
    ) -> None:
        url = self.conn.stream_url(session_hash)
        attempt = 0
        while True:
            connected = drained = False
            try:
                if first is None:
                    opened = await self.conn.aopen_stream(url)
                else:
                    opened, first = aclosing(first), None
                async with opened as resp:
                    if resp.status_code in _RETRY_STATUS and attempt < self.conn.retry.max_retries:
                        await resp.aread()
                        await asyncio.sleep(self.conn.retry.delay(attempt, retry_after(resp)))
                        attempt += 1
                        continue
                    if resp.status_code >= 400:
                        await resp.aread()
                        raise status_error(resp, "opening the event stream")
                    connected = True
                    decoder = SSEDecoder()
                    self._routed = False
                    async for chunk in achunks(resp):
                        if drained:
                            continue  # the app ends the body right after close_stream
                        for message in decoder.feed(chunk):
                            if self._dispatch(message):
                                drained = True
                                break
                    if not drained:
                        self._body_ended(decoder)
                    # Read to the end (also after close_stream) so the connection goes
                    # back to the pool: the next job's stream needs no new connection.
                    return
            except StreamHiccup as exc:
                hiccups = 1 if self._routed else hiccups + 1
                if hiccups > MAX_HICCUPS:
                    raise ProtocolError(f"the app reported an error: {exc}") from None
                log.debug("reopening the event stream after: %s", exc)
                continue
            # Reopen only when the connection never reached the app: the app drops
            # a session's jobs when its stream disconnects.
            except _http.TimeoutException as exc:
                if drained:
                    return
                if not connected and _is_connect(exc) and attempt < self.conn.retry.max_retries:
                    await asyncio.sleep(self.conn.retry.delay(attempt))
                    attempt += 1
                    continue
                raise self._silent() from None
            except _http.TransportError as exc:
                if drained:
                    return
                if not connected and _is_connect(exc) and attempt < self.conn.retry.max_retries:
                    await asyncio.sleep(self.conn.retry.delay(attempt))
                    attempt += 1
                    continue
                raise self._broke(exc) from None

    def _body_ended(self, decoder: SSEDecoder) -> None:
        """The stream's body ended before close_stream: route what the decoder still
        holds; with sse_v3 (which always sends close_stream) the end is a break."""
        for message in decoder.flush():
            if self._dispatch(message):
                return
        protocol = self.conn.server.protocol if self.conn.server else "sse_v3"
        if protocol == "sse_v3" and not self._closed:
            raise APIConnectionError("the event stream ended before close_stream")

    def _dispatch(self, message: dict[str, Any]) -> bool:
        kind = message.get("msg")
        if kind == "close_stream":
            return True
        if kind == "heartbeat":
            return False
        event_id = message.get("event_id")
        if not isinstance(event_id, str):
            if kind == "unexpected_error":
                raise session_error(message)
            if kind == "__malformed__":
                log.warning("ignored a malformed event from the app")
            return False
        self._routed = True
        job = self._jobs.get(event_id)
        if job is None:
            if len(self._unclaimed) >= _MAX_UNCLAIMED:
                self._unclaimed.pop(next(iter(self._unclaimed)))
            self._unclaimed.setdefault(event_id, []).append(message)
            return False
        if job._process([message]):
            self._jobs.pop(event_id, None)
            if job._core.cancel_requested:
                self._after_cancel(job)
        return False

    async def close(self) -> None:
        self._closed = True
        jobs = list(self._jobs.values())
        self._jobs.clear()
        for job in jobs:
            job._end_cancelled("the client was closed")
        reader = self._reader
        if isinstance(reader, _StreamFeed):
            self._reader = None
            reader.close()
        elif reader is not None and not reader.done():
            reader.cancel()
            try:
                await reader
            except (asyncio.CancelledError, Exception):
                pass


def _crash(exc: BaseException) -> ProtocolError:
    log.error("event stream reader crashed", exc_info=exc)
    return ProtocolError(f"event stream reader failed: {exc!r}")


#: Answer headers a ``_StreamFeed`` hands to a reader task (httpx handles them).
_HANDED = (b"set-cookie", b"content-encoding")


class _StreamFeed:
    """The event stream read in the event loop's read callbacks (``Connection.feed_stream``):
    no reader task starts, wakes and ends for each job, which was a third of the async
    client's event loop work per call. Awaiting it waits until it ends."""

    def __init__(
        self, session: AsyncSession, suspects: list[str], loop: asyncio.AbstractEventLoop
    ) -> None:
        self.session = session
        self.suspects = suspects
        self.decoder = SSEDecoder()
        #: close_stream came: the rest of the body is read only to reuse the connection.
        self.drained = False
        self.stop: Callable[[], None] | None = None
        self.ended: asyncio.Future[None] = loop.create_future()

    def __await__(self) -> Generator[Any, None, None]:
        return asyncio.shield(self.ended).__await__()

    def head(self, answer: Answer) -> bool:
        if answer.status != 200 or any(
            name.lower() in _HANDED for name, _ in answer.headers
        ):
            return False
        self.session._routed = False
        return True

    def chunk(self, data: bytes) -> None:
        if self.drained:
            return
        dispatch = self.session._dispatch
        for message in self.decoder.feed(data):
            if dispatch(message):
                self.drained = True
                return

    def end(self, error: BaseException | None) -> None:
        self.session._fed(self, error)

    def takeover(self, response: _http.Response) -> None:
        self.session._handed(self, response)

    def close(self) -> None:
        if self.stop is not None:
            self.stop()
        if not self.ended.done():
            self.ended.set_result(None)
