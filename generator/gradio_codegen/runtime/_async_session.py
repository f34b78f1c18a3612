"""One queue session of the async client: the asyncio twin of ``_session``.

Same routing rules as the sync session; the reader is an asyncio task instead of a
thread, and joins run on the caller's event loop. As there, a broken stream fails every
pending job and moves later jobs to a new session (see ``_session``).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any, Sequence

from . import _http, _transfer
from ._connection import Connection, _is_connect, redact_url, retry_after, status_error
from ._core import JobCore
from ._h1_async import apipe
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
from .files import wrap_files
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
        self._reader: asyncio.Task[None] | None = None
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
        event_id = await self.conn.ajoin(endpoint.fn_index, data, job._session_hash)
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
        if self._reader is None and self._jobs:
            self._reader = asyncio.get_running_loop().create_task(self._run())
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

    async def _run(self) -> None:
        try:
            while self._jobs and not self._closed:
                self._generation += 1
                generation = self._generation
                suspects = [e for e, j in self._jobs.items() if j._generation < generation]
                try:
                    await self._read_stream(self.session_hash)
                except GradioError as exc:
                    self._fail_all(exc)
                    continue
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.exception("event stream reader crashed")
                    self._fail_all(ProtocolError(f"event stream reader failed: {exc!r}"))
                    continue
                for event_id in suspects:
                    job = self._jobs.pop(event_id, None)
                    if job is None:
                        continue
                    if job._core.cancel_requested:
                        job._end_cancelled()
                    else:
                        job._fail(ProtocolError(FORGOTTEN_REASON))
        finally:
            self._reader = None

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

    async def _read_stream(self, session_hash: str) -> None:
        url = self.conn.stream_url(session_hash)
        protocol = self.conn.server.protocol if self.conn.server else "sse_v3"
        attempt = hiccups = 0
        while True:
            connected = False
            try:
                async with await self.conn.aopen_stream(url) as resp:
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

                    def take(chunk: bytes) -> bool:
                        for message in decoder.feed(chunk):
                            if self._dispatch(message):
                                return True
                        return False

                    # Read on to the end after close_stream (the app ends the body right
                    # after it) so the connection goes back to the pool: the next
                    # job's stream then needs no new TCP connection.
                    if await apipe(resp, take):
                        return
                    for message in decoder.flush():
                        if self._dispatch(message):
                            return
                    if protocol == "sse_v3" and not self._closed:
                        raise APIConnectionError("the event stream ended before close_stream")
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
                if not connected and _is_connect(exc) and attempt < self.conn.retry.max_retries:
                    await asyncio.sleep(self.conn.retry.delay(attempt))
                    attempt += 1
                    continue
                raise APITimeoutError(
                    f"no message from {redact_url(self.conn.base_url)} within the read timeout"
                ) from None
            except _http.TransportError as exc:
                if not connected and _is_connect(exc) and attempt < self.conn.retry.max_retries:
                    await asyncio.sleep(self.conn.retry.delay(attempt))
                    attempt += 1
                    continue
                raise APIConnectionError(
                    f"the event stream from {redact_url(self.conn.base_url)} broke "
                    f"({type(exc).__name__})"
                ) from None

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
        if reader is not None and not reader.done():
            reader.cancel()
            try:
                await reader
            except (asyncio.CancelledError, Exception):
                pass
