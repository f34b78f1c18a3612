"""One queue session of the async client: the asyncio twin of ``_session``.

The routing rules are ``_routing.Router``'s, as in ``_session``; joins run on the
caller's event loop, and the stream is read in the event loop's read callbacks
(``_StreamFeed``) when the hot path has an idle kept-alive connection for it, else (a
new connection, an answer it does not take, a reopened stream) by an asyncio task. As
there, a broken stream fails every pending job and moves later jobs to a new session
(see ``_session``).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import aclosing
from typing import Any, Callable, Generator, Sequence

from . import _http
from ._connection import Connection, status_error, stream_error
from ._h1_async import achunks
from ._wire import Answer
from ._inputs import substitute, uploads_of
from ._routing import Router, Stream, StreamHiccup, deliver, dispatch_all, settle
from ._sse import SSEDecoder
from ._submit import job_core, plan
from .endpoint import Endpoint
from .errors import GradioError, ProtocolError
from .jobs import AsyncJob, AsyncJobState

__all__ = ["AsyncSession"]

log = logging.getLogger("gradio_codegen")


class AsyncSession:
    """Queue session shared by every job of one async client: a ``Router`` driven on
    the event loop (no lock: nothing here awaits between reading and changing it)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._router: Router[AsyncJobState] = Router()
        self._reader: asyncio.Task[None] | _StreamFeed | None = None

    def reset(self) -> None:
        """Start a new session (fresh ``gr.State``) for later jobs."""
        self._router.reset()

    async def submit(self, endpoint: Endpoint[Any], values: Sequence[Any]) -> AsyncJob[Any]:
        checked = endpoint.check(values)
        info = await self.conn.aensure_ready()
        pending = plan(self.conn, endpoint, checked, info)
        paths = await self.conn.aupload(uploads_of(pending)) if pending.uploads else []
        data = endpoint.layout(substitute(pending, paths))
        core = job_core(self.conn, endpoint, info)
        state = AsyncJobState(core)
        router = self._router
        core.session_hash, breaks = router.target()
        event_id = await self.conn.ajoin(
            endpoint.fn_index, data, core.session_hash, endpoint.oauth_token is not None
        )
        joined = router.joined(state, event_id, breaks)
        if isinstance(joined, BaseException):
            state.fail(joined)  # the stream broke while joining: see Router.joined
            return AsyncJob(state, self)
        if joined and state.apply(joined):
            settle(router.finished(state))
        reader = self._reader
        if isinstance(reader, _StreamFeed) and reader.ended.get_loop() is not (
            asyncio.get_running_loop()
        ):
            reader.close()  # its event loop ended (asyncio.run called again)
            self._reader = reader = None
        if reader is None:
            self._start_reader()
        return AsyncJob(state, self)

    async def cancel(self, state: AsyncJobState) -> bool:
        core = state.core
        assert core.event_id is not None
        try:
            supported = await self.conn.acancel(core.fn_index, core.event_id, core.session_hash)
        except GradioError as exc:
            log.warning("cancel request failed: %s", exc)
            supported = False
        settle(self._router.cancel_returned(state, supported))
        return True

    def _start_reader(self) -> None:
        """Read the stream for the pending jobs (if any): in the event loop's read
        callbacks when the hot path has an idle connection for it (``_StreamFeed``),
        else in a task."""
        stream = self._router.open()
        if stream is None:
            return
        loop = asyncio.get_running_loop()
        feed = _StreamFeed(self, stream, loop)
        stop = self.conn.feed_stream(self.conn.stream_url(stream.session_hash), feed)
        if stop is None:
            self._reader = loop.create_task(self._run(stream))
        else:
            feed.stop = stop
            self._reader = feed

    async def _run(self, stream: Stream, first: _http.Response | None = None) -> None:
        """Read one stream (reopened after hiccups) in a task: ``first`` is the stream
        already open when a ``_StreamFeed`` handed it over."""
        try:
            await self._read_stream(stream, first)
        except GradioError as exc:
            self._done(stream, exc)
            return
        except asyncio.CancelledError:
            if self._reader is asyncio.current_task():
                self._reader = None  # (an event loop's end cancels its tasks)
            raise
        except Exception as exc:
            self._done(stream, _crash(exc))
            return
        self._done(stream, None)

    def _done(self, stream: Stream, error: BaseException | None) -> None:
        """A stream ended (``error``: it broke): settle its jobs, and start the next
        stream for jobs that joined meanwhile."""
        self._reader = None
        router = self._router
        settle(router.stream_ended(stream) if error is None else router.stream_failed(error))
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
            try:
                self._router.hiccup(feed.stream, error)
            except ProtocolError as exc:
                self._done(feed.stream, exc)
                return
            loop = feed.ended.get_loop()
            self._reader = loop.create_task(self._run(feed.stream))
            return
        if error is None or isinstance(error, GradioError):
            self._done(feed.stream, error)
        elif isinstance(error, _http.TransportError):
            self._done(feed.stream, stream_error(error, self.conn.base_url))
        else:
            self._done(feed.stream, _crash(error))

    def _handed(self, feed: _StreamFeed, response: _http.Response) -> None:
        """A ``_StreamFeed`` got an answer it does not take (an error status, cookies,
        an encoding): a reader task reads it as if it had opened it."""
        self.conn.keep_cookies(response)
        feed.ended.set_result(None)
        self._reader = feed.ended.get_loop().create_task(self._run(feed.stream, response))

    async def _read_stream(self, stream: Stream, first: _http.Response | None = None) -> None:
        url = self.conn.stream_url(stream.session_hash)
        attempt = 0
        while True:
            connected = drained = False
            try:
                if first is None:
                    opened = await self.conn.aopen_stream(url)
                else:
                    opened, first = aclosing(first), None
                async with opened as resp:
                    wait = self.conn.retry.after_status(resp, attempt)
                    if wait is not None:
                        await resp.aread()
                        await asyncio.sleep(wait)
                        attempt += 1
                        continue
                    if resp.status_code >= 400:
                        await resp.aread()
                        raise status_error(resp, "opening the event stream")
                    connected = True
                    decoder = SSEDecoder()
                    self._router.connected()
                    async for chunk in achunks(resp):
                        if drained:
                            continue  # the app ends the body right after close_stream
                        drained = dispatch_all(decoder.feed(chunk), self._dispatch)
                    if not drained:
                        self._body_ended(decoder)
                    # Read to the end (also after close_stream) so the connection goes
                    # back to the pool: the next job's stream needs no new connection.
                    return
            except StreamHiccup as exc:
                self._router.hiccup(stream, exc)
                continue
            # Reopen only when the connection never reached the app: the app drops
            # a session's jobs when its stream disconnects.
            except _http.TransportError as exc:
                if drained:
                    return
                wait = self.conn.retry.after_error(exc, attempt, reached=connected)
                if wait is None:
                    raise stream_error(exc, self.conn.base_url) from None
                await asyncio.sleep(wait)
                attempt += 1

    def _body_ended(self, decoder: SSEDecoder) -> None:
        """The stream's body ended before close_stream: route what the decoder still
        holds; with sse_v3 (which always sends close_stream) the end is a break."""
        if dispatch_all(decoder.flush(), self._dispatch):
            return
        protocol = self.conn.server.protocol if self.conn.server else "sse_v3"
        early = self._router.body_ended(protocol)
        if early is not None:
            raise early

    def _dispatch(self, message: dict[str, Any]) -> bool:
        """Route one message; True when the server closed the stream."""
        return deliver(self._router.message(message), message, self._finished)

    def _finished(self, state: AsyncJobState) -> None:
        settle(self._router.finished(state))

    async def close(self) -> None:
        settle(self._router.close())
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
        self, session: AsyncSession, stream: Stream, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.session = session
        self.stream = stream
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
        self.session._router.connected()
        return True

    def chunk(self, data: bytes) -> None:
        if self.drained:
            return
        self.drained = dispatch_all(self.decoder.feed(data), self.session._dispatch)

    def end(self, error: BaseException | None) -> None:
        self.session._fed(self, error)

    def takeover(self, response: _http.Response) -> None:
        self.session._handed(self, response)

    def close(self) -> None:
        if self.stop is not None:
            self.stop()
        if not self.ended.done():
            self.ended.set_result(None)
