"""One queue session of the sync client: a single event stream for all its jobs.

The routing rules are ``_routing.Router``'s; this module drives it over threads, under
one lock, and runs the jobs' updates outside that lock. Jobs join the queue from the
caller's thread; one reader at a time reads ``/queue/data`` and routes each message to
its job by ``event_id``. A blocking call (``predict`` and the endpoint functions) made
while nobody reads reads the stream on its own thread, which saves two thread switches
per message; it hands the open stream to a reader thread when it returns while other
jobs still wait on that stream. Jobs from ``submit()`` get the reader thread at once.
The reader exists only while jobs are pending (the server closes the stream when the
session is idle), and the reader thread is the only thread the sync client starts.

When the stream breaks, every pending job fails and later jobs join a new session: the
app drops the old session's jobs only once it notices the disconnect, which may be after
the client did, so a job joining the old session could be silently dropped or have its
messages read by the app's still-open old stream, and wait forever.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Generator, Iterator, Sequence, TypeVar

from . import _http
from ._connection import Connection, status_error, stream_error
from ._h1 import chunks
from ._inputs import substitute, uploads_of
from ._routing import CLOSE, Router, Stream, StreamHiccup, settle
from ._sse import SSEDecoder
from ._submit import job_core, plan
from .endpoint import Endpoint
from .errors import APIConnectionError, GradioError, ProtocolError
from .jobs import Job, JobState

__all__ = ["INTERRUPTED_REASON", "SyncSession"]

log = logging.getLogger("gradio_codegen")
#: Seconds an idle reader thread waits for another job before it ends.
READER_IDLE = 5.0
INTERRUPTED_REASON = "the call reading the event stream was interrupted; the stream was closed"
T = TypeVar("T")


class _Caller:
    """Marks the stream as read by the thread of a blocking call (not a reader thread)."""


class SyncSession:
    """Queue session shared by every job of one sync client: a ``Router`` driven from
    the joining threads and the one thread reading the stream, under one lock."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._lock = threading.Lock()
        #: Wakes an idle reader when a job registers (or the session closes).
        self._wakeup = threading.Condition(self._lock)
        self._router: Router[JobState] = Router()
        #: Who reads the stream: a reader thread, a blocking call, or nobody.
        self._reader: threading.Thread | _Caller | None = None
        self._response: _http.Response | None = None

    def reset(self) -> None:
        """Start a new session (fresh ``gr.State``) for later jobs."""
        with self._lock:
            self._router.reset()

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
        pending = plan(self.conn, endpoint, checked, info)
        paths = self.conn.upload(uploads_of(pending)) if pending.uploads else []
        data = endpoint.layout(substitute(pending, paths))
        core = job_core(self.conn, endpoint, info)
        state = JobState(core)
        with self._lock:
            core.session_hash, breaks = self._router.target()
        event_id = self.conn.join(
            endpoint.fn_index, data, core.session_hash, endpoint.oauth_token is not None
        )
        self._register(state, event_id, breaks, blocking)
        return Job(state, self)

    def _register(self, state: JobState, event_id: str, breaks: int, blocking: bool) -> None:
        """Hand the job to the router, and make sure a reader will serve it: the reader
        there is, the blocking caller itself (``_drive``), or a new reader thread.

        The router's check against breaks and the registration share one lock section
        with a break: a job registered before it is failed by it, and none slips in
        between. Its backlog is delivered under the job's condition, taken before the
        session's lock is let go, so the reader's later messages wait behind it.
        """
        with self._lock:
            joined = self._router.joined(state, event_id, breaks)
            if isinstance(joined, BaseException):
                lost, backlog = joined, []
            else:
                lost, backlog = None, joined
                if self._reader is None:
                    if not blocking:
                        self._start_reader(self._steps())
                else:
                    self._wakeup.notify()
                if backlog:
                    state.cond.acquire()
        if lost is not None:
            state.fail(lost)
            return
        if backlog:
            try:
                done = state.apply(backlog)
            finally:
                state.cond.release()
            if done:
                self._finished(state)

    def _start_reader(self, steps: Iterator[None]) -> None:
        """A reader thread that takes ``steps`` (the stream loop) on (lock held)."""
        self._reader = threading.Thread(
            target=self._run, args=(steps,), daemon=True,
            name=f"gradio-codegen-stream-{self._router.session_hash[:8]}",
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
                if self._reader is not None or not self._router.pending:
                    return  # a reader serves the job, or every job is done
                self._reader = driver
            steps = self._steps()
            for _ in steps:
                if job.done():
                    with self._lock:
                        if self._router.pending and self._reader is driver:
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
                self._failed(APIConnectionError(INTERRUPTED_REASON))
            raise

    def _finished(self, state: JobState) -> None:
        with self._lock:
            endings = self._router.finished(state)
        settle(endings)

    def _failed(self, error: BaseException) -> None:
        with self._lock:
            endings = self._router.stream_failed(error)
        settle(endings)

    # -- cancelling ----------------------------------------------------------------

    def cancel(self, state: JobState) -> bool:
        core = state.core
        assert core.event_id is not None
        try:
            supported = self.conn.cancel(core.fn_index, core.event_id, core.session_hash)
        except GradioError as exc:
            log.warning("cancel request failed: %s", exc)
            supported = False
        with self._lock:
            endings = self._router.cancel_returned(state, supported)
        settle(endings)
        return True

    # -- the stream ----------------------------------------------------------------

    def _run(self, steps: Iterator[None]) -> None:
        """A reader thread's body."""
        for _ in steps:
            pass

    def _steps(self) -> Generator[None, None, None]:
        """The reader's loop, one step per chunk of the stream, so that the blocking
        call reading it can stop between chunks and hand it on."""
        router = self._router
        while True:
            with self._lock:
                if not router.pending and not router.closed and isinstance(
                    self._reader, threading.Thread
                ):
                    # Linger for the next job: back-to-back calls then reuse this
                    # thread instead of starting one per call.
                    self._wakeup.wait(READER_IDLE)
                stream = router.open()
                if stream is None:
                    self._reader = None
                    return
            try:
                yield from self._read_stream(stream)
            except GradioError as exc:
                self._failed(exc)
                continue
            except Exception as exc:  # never leave jobs waiting on a dead reader
                log.exception("event stream reader crashed")
                self._failed(ProtocolError(f"event stream reader failed: {exc!r}"))
                continue
            with self._lock:
                endings = router.stream_ended(stream)
            settle(endings)

    def _read_stream(self, stream: Stream) -> Generator[None, None, None]:
        url = self.conn.stream_url(stream.session_hash)
        protocol = self.conn.server.protocol if self.conn.server else "sse_v3"
        router = self._router
        attempt = 0
        while True:
            connected = drained = False
            try:
                with self.conn.open_stream(url) as resp:
                    wait = self.conn.retry.after_status(resp, attempt)
                    if wait is not None:
                        resp.read()
                        time.sleep(wait)
                        attempt += 1
                        continue
                    if resp.status_code >= 400:
                        resp.read()
                        raise status_error(resp, "opening the event stream")
                    connected = True
                    self._response = resp
                    decoder = SSEDecoder()
                    with self._lock:
                        router.connected()
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
                    with self._lock:
                        early = router.body_ended(protocol)
                    if early is not None:
                        raise early
                    return
            except StreamHiccup as exc:
                with self._lock:
                    router.hiccup(stream, exc)
                continue
            # Reopen only when the connection never reached the app: the app drops
            # a session's jobs when its stream disconnects.
            except _http.TransportError as exc:
                if drained or router.closed:
                    return
                wait = self.conn.retry.after_error(exc, attempt, reached=connected)
                if wait is None:
                    raise stream_error(exc, self.conn.base_url) from None
                time.sleep(wait)
                attempt += 1
            finally:
                self._response = None

    def _dispatch(self, message: dict[str, Any]) -> bool:
        """Route one message; True when the server closed the stream."""
        with self._lock:
            target = self._router.message(message)
        if target is None:
            return False
        if target is CLOSE:
            return True
        if target.apply([message]):
            self._finished(target)
        return False

    def close(self) -> None:
        """Stop the reader; pending jobs end as cancelled."""
        with self._lock:
            endings = self._router.close()
            self._wakeup.notify_all()
            reader = self._reader
            response = self._response
        settle(endings)
        if response is not None:
            try:
                response.close()
            except Exception:
                pass
        if isinstance(reader, threading.Thread) and reader is not threading.current_thread():
            reader.join(timeout=5)
