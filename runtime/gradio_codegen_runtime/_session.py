"""One queue session of the sync client: a single event stream for all its jobs.

Jobs join the queue from the caller's thread; one reader at a time reads
``/queue/data`` and routes each message to its job by ``event_id``. A blocking call
(``predict`` and the endpoint functions) made while nobody reads reads the stream on
its own thread, which saves two thread switches per message; it hands the open stream
to a reader thread when it returns while other jobs still wait on that stream. Jobs
from ``submit()`` get the reader thread at once. The reader exists only while jobs are
pending (the server closes the stream when the session is idle), and the reader thread
is the only thread the sync client starts.

When the stream breaks, every pending job fails and later jobs join a new session:
the app drops the old session's jobs only once it notices the disconnect, which may be
after the client did, so a job joining the old session could be silently dropped or
have its messages read by the app's still-open old stream, and wait forever.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any, Generator, Iterator, Sequence, TypeVar

from . import _http, _transfer
from ._connection import Connection, _is_connect, redact_url, retry_after, status_error
from ._core import JobCore
from ._h1 import chunks
from ._inputs import collect, substitute, uploads_of
from .endpoint import Endpoint
from .errors import (
    APIConnectionError,
    APITimeoutError,
    CancelledError,
    GradioError,
    ProtocolError,
)
from ._outputs import wrap_files
from .jobs import Job

__all__ = [
    "BROKE_WHILE_JOINING", "FORGOTTEN_REASON", "PEER_CANCEL_REASON", "StreamHiccup", "SyncSession",
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
_RETRY_STATUS = (429, 502, 503, 504)
_MAX_UNCLAIMED = 10_000
#: Stream errors in a row (with no job message between them) before giving up.
MAX_HICCUPS = 3
#: Seconds an idle reader thread waits for another job before it ends.
READER_IDLE = 5.0
T = TypeVar("T")


class _Caller:
    """Marks the stream as read by the thread of a blocking call (not a reader thread)."""


INTERRUPTED_REASON = "the call reading the event stream was interrupted; the stream was closed"


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


class SyncSession:
    """Queue session shared by every job of one sync client."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.session_hash = uuid.uuid4().hex
        self._lock = threading.Lock()
        #: Wakes an idle reader when a job registers (or the session closes).
        self._wakeup = threading.Condition(self._lock)
        self._jobs: dict[str, Job[Any]] = {}
        self._unclaimed: dict[str, list[dict[str, Any]]] = {}
        #: Who reads the stream: a reader thread, a blocking call, or nobody.
        self._reader: threading.Thread | _Caller | None = None
        self._generation = 0
        self._response: _http.Response | None = None
        self._closed = False
        self._routed = False
        #: Broken streams so far: the app drops a session's queued jobs when its
        #: stream disconnects, so a join that overlapped a break may be lost.
        self._breaks = 0

    def reset(self) -> None:
        """Start a new session (fresh ``gr.State``) for later jobs."""
        with self._lock:
            self.session_hash = uuid.uuid4().hex

    def _join_target(self) -> tuple[str, int]:
        """The session to join and the break count it belongs to, read together: a
        break changes both at once, so a join never pairs a dead session with the
        count that would let it register."""
        with self._lock:
            return self.session_hash, self._breaks

    # -- submitting ----------------------------------------------------------------

    def call(self, endpoint: Endpoint[T], values: Sequence[Any]) -> T:
        """Run one job to its end: the calling thread reads the stream if nobody does."""
        job: Job[T] = self.submit(endpoint, values, blocking=True)
        self._drive(job)
        return job.result()

    def submit(
        self, endpoint: Endpoint[Any], values: Sequence[Any], *, blocking: bool = False
    ) -> Job[Any]:
        """Join the queue. ``blocking``: the caller waits for the job at once and reads
        the stream itself if nobody does (``call``), so no reader thread is started."""
        checked = endpoint.check(values)
        info = self.conn.ensure_ready()
        if info.protocol == "sse":
            raise ProtocolError(
                f"this app runs Gradio {info.version} (protocol 'sse', 4.0-4.8); "
                "gradio-codegen needs Gradio 4.9 or later"
            )
        pending = collect(endpoint, checked)
        if pending.uploads:
            _transfer.check_size(self.conn, pending.uploads)
            paths = _transfer.upload(self.conn, uploads_of(pending))
        else:
            paths = []
        data = endpoint.layout(substitute(pending, paths))
        conn = self.conn

        def decode(raw: list[Any]) -> Any:
            return endpoint.shape(wrap_files(raw, conn))

        core = JobCore(endpoint.fn_index, info.protocol, decode, endpoint.generator)
        job: Job[Any] = Job(core, self)
        session_hash, breaks = self._join_target()
        job._session_hash = session_hash
        event_id = self.conn.join(
            endpoint.fn_index, data, session_hash, endpoint.oauth_token is not None
        )
        self._register(job, event_id, breaks, blocking)
        return job

    def _register(self, job: Job[Any], event_id: str, breaks: int, blocking: bool) -> None:
        """Hand the job to the reader, or fail it at once when the stream broke since
        its join started (its session is dead: no stream will ever serve it).

        The check and the registration share one lock section with ``_fail_all``: a
        job registered before a break is failed by it, and none can slip in between.
        """
        with self._lock:
            if self._closed:
                raise GradioError("the client is closed")
            job._core.event_id = event_id
            lost = breaks != self._breaks
            if not lost:
                self._register_locked(job, event_id, blocking)
                backlog = self._unclaimed.pop(event_id, [])
                job._cond.acquire()
        if lost:
            job._fail(APIConnectionError(BROKE_WHILE_JOINING))
            return
        try:
            done = job._process(backlog) if backlog else False
        finally:
            job._cond.release()
        if done:
            self._forget(event_id)

    def _register_locked(self, job: Job[Any], event_id: str, blocking: bool) -> None:
        """Add a job and make sure a reader will serve it (caller holds the lock): the
        reader there is, the blocking caller itself (``_drive``), or a new reader thread."""
        job._generation = self._generation
        self._jobs[event_id] = job
        if self._reader is None:
            if not blocking:
                self._start_reader(self._steps())
        else:
            self._wakeup.notify()

    def _start_reader(self, steps: Iterator[None]) -> None:
        """A reader thread that takes ``steps`` (the stream loop) on (lock held)."""
        self._reader = threading.Thread(
            target=self._run, args=(steps,), daemon=True,
            name=f"gradio-codegen-stream-{self.session_hash[:8]}",
        )
        self._reader.start()

    def _drive(self, job: Job[Any]) -> None:
        """Read the stream on this thread until ``job`` is done, unless a reader does.

        Then the stream is read on to its end (the app ends it at once when no other
        job of the session is pending), unless other jobs are registered: a reader
        thread takes the open stream over. An interruption (KeyboardInterrupt) while
        reading closes the stream, so the app drops the session's jobs: all of them
        fail. Interrupted before it reads, the call leaves its job to the next reader.
        """
        driver = _Caller()
        steps: Generator[None, None, None] | None = None
        try:
            with self._lock:
                if self._reader is not None or not self._jobs:
                    return  # a reader serves the job, or every job is done
                self._reader = driver
            steps = self._steps()
            for _ in steps:
                if job._core.done:
                    with self._lock:
                        if self._jobs and self._reader is driver:
                            self._start_reader(steps)
                            return
        except BaseException:
            if steps is not None:
                steps.close()
            with self._lock:
                reading = self._reader is driver
                if reading:
                    self._reader = None
            if reading:
                self._fail_all(APIConnectionError(INTERRUPTED_REASON))
            raise

    def _forget(self, event_id: str) -> None:
        with self._lock:
            self._jobs.pop(event_id, None)

    # -- cancelling ----------------------------------------------------------------

    def cancel(self, job: Job[Any]) -> bool:
        core = job._core
        assert core.event_id is not None
        try:
            supported = self.conn.cancel(core.fn_index, core.event_id, job._session_hash)
        except GradioError as exc:
            log.warning("cancel request failed: %s", exc)
            supported = False
        if not supported:
            job._end_cancelled("cancelled locally; the app could not be asked to stop the job")
            self._forget(core.event_id)
        elif core.done and not isinstance(core.error, CancelledError):
            # The job finished before the app got /cancel, so the peer rule already ran
            # on its last message, too early: the app has only now stopped the
            # endpoint's other running jobs, and they will send nothing more.
            self._after_cancel(job)
        return True

    def _after_cancel(self, job: Job[Any]) -> None:
        """Jobs of the same endpoint that were running were stopped by the server's
        /cancel too and will never complete: end them as cancelled."""
        fn_index = job._core.fn_index
        with self._lock:
            peers = [
                j for j in self._jobs.values()
                if j is not job and j._core.fn_index == fn_index and j._core.started
                and j._session_hash == job._session_hash
                and not j._core.done and not j._core.cancel_requested
            ]
        for peer in peers:
            peer._end_cancelled(PEER_CANCEL_REASON)
            if peer._core.event_id:
                self._forget(peer._core.event_id)

    # -- the stream ----------------------------------------------------------------

    def _run(self, steps: Iterator[None]) -> None:
        """A reader thread's body."""
        for _ in steps:
            pass

    def _steps(self) -> Generator[None, None, None]:
        """The reader's loop, one step per chunk of the stream, so that the blocking
        call reading it can stop between chunks and hand it on."""
        while True:
            with self._lock:
                if not self._jobs and not self._closed and isinstance(
                    self._reader, threading.Thread
                ):
                    # Linger for the next job: back-to-back calls then reuse this
                    # thread instead of starting one per call.
                    self._wakeup.wait(READER_IDLE)
                if not self._jobs or self._closed:
                    self._reader = None
                    return
                self._generation += 1
                generation = self._generation
                suspects = [e for e, j in self._jobs.items() if j._generation < generation]
                session_hash = self.session_hash
            try:
                yield from self._read_stream(session_hash)
            except GradioError as exc:
                self._fail_all(exc)
                continue
            except Exception as exc:  # never leave jobs waiting on a dead reader
                log.exception("event stream reader crashed")
                self._fail_all(ProtocolError(f"event stream reader failed: {exc!r}"))
                continue
            with self._lock:
                forgotten = [self._jobs.pop(e) for e in suspects if e in self._jobs]
            for job in forgotten:
                if job._core.cancel_requested:
                    job._end_cancelled()
                else:
                    job._fail(ProtocolError(FORGOTTEN_REASON))

    def _fail_all(self, error: BaseException) -> None:
        """Fail every pending job and move later jobs to a new session.

        Reusing the session would let a job join it before the app noticed the broken
        stream; the app would then drop that job, or its old stream would take the
        job's messages. ``gr.State`` therefore starts fresh after a break.
        """
        with self._lock:
            self._breaks += 1
            self.session_hash = uuid.uuid4().hex
            self._unclaimed.clear()  # messages of the old session's jobs, all failed now
            jobs = list(self._jobs.values())
            self._jobs.clear()
        for job in jobs:
            if job._core.cancel_requested:
                job._end_cancelled()
            else:
                job._fail(error)

    def _read_stream(self, session_hash: str) -> Generator[None, None, None]:
        url = self.conn.stream_url(session_hash)
        protocol = self.conn.server.protocol if self.conn.server else "sse_v3"
        attempt = hiccups = 0
        while True:
            connected = drained = False
            try:
                with self.conn.open_stream(url) as resp:
                    if resp.status_code in _RETRY_STATUS and attempt < self.conn.retry.max_retries:
                        resp.read()
                        time.sleep(self.conn.retry.delay(attempt, retry_after(resp)))
                        attempt += 1
                        continue
                    if resp.status_code >= 400:
                        resp.read()
                        raise status_error(resp, "opening the event stream")
                    connected = True
                    self._response = resp
                    from ._sse import SSEDecoder

                    decoder = SSEDecoder()
                    self._routed = False
                    for chunk in chunks(resp):
                        if drained:
                            continue  # the app ends the body right after close_stream
                        for message in decoder.feed(chunk):
                            if self._dispatch(message):
                                drained = True
                                break
                        yield
                    if drained:
                        # Read to the end so the connection goes back to the pool: the
                        # next job's stream then needs no new TCP connection.
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
                if drained:
                    return
                if self._closed:
                    return
                if not connected and _is_connect(exc) and attempt < self.conn.retry.max_retries:
                    time.sleep(self.conn.retry.delay(attempt))
                    attempt += 1
                    continue
                raise APITimeoutError(
                    f"no message from {redact_url(self.conn.base_url)} within the read timeout"
                ) from None
            except _http.TransportError as exc:
                if drained:
                    return
                if self._closed:
                    return
                if not connected and _is_connect(exc) and attempt < self.conn.retry.max_retries:
                    time.sleep(self.conn.retry.delay(attempt))
                    attempt += 1
                    continue
                raise APIConnectionError(
                    f"the event stream from {redact_url(self.conn.base_url)} broke "
                    f"({type(exc).__name__})"
                ) from None
            finally:
                self._response = None

    def _dispatch(self, message: dict[str, Any]) -> bool:
        """Route one message; True when the server closed the stream."""
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
        with self._lock:
            job = self._jobs.get(event_id)
            if job is None:
                if len(self._unclaimed) >= _MAX_UNCLAIMED:
                    self._unclaimed.pop(next(iter(self._unclaimed)))
                self._unclaimed.setdefault(event_id, []).append(message)
                return False
        done = job._process([message])
        if done:
            self._forget(event_id)
            if job._core.cancel_requested:
                self._after_cancel(job)
        return False

    def close(self) -> None:
        """Stop the reader; pending jobs end as cancelled."""
        with self._lock:
            self._closed = True
            self._wakeup.notify_all()
            jobs = list(self._jobs.values())
            self._jobs.clear()
            reader = self._reader
            response = self._response
        for job in jobs:
            job._end_cancelled("the client was closed")
        if response is not None:
            try:
                response.close()
            except Exception:
                pass
        if isinstance(reader, threading.Thread) and reader is not threading.current_thread():
            reader.join(timeout=5)
