"""One queue session of the sync client: a single event stream for all its jobs.

The routing rules are ``_routing.Router``'s; this module drives it over threads, under
one lock, and runs the jobs' updates outside that lock. Jobs join the queue from the
caller's thread; one reader at a time reads ``/queue/data`` and routes each message to
its job by ``event_id``. A caller that waits for a job (``predict``, ``result()``, each
step of iterating a job) reads the stream on its own thread when nobody else does: a
reader thread would cost two thread switches per message. Jobs from ``submit()`` get a
reader thread at once; a caller that starts waiting takes the stream over from it at the
next chunk. Between two updates of an iterated job the caller leaves the stream parked;
the reader thread reads it on if the caller is not back within ``PARK_GRACE`` or no
caller waits any more. The reader thread exists only while jobs are pending (the server
closes the stream when the session is idle), and is the only thread the client starts.

When the stream breaks, every pending job fails and later jobs join a new session: the
app drops the old session's jobs only once it notices the disconnect, which may be after
the client did, so a job joining the old session could be silently dropped or have its
messages read by the app's still-open old stream, and wait forever.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable, Generator, Sequence, TypeVar

from . import _http
from ._connection import Connection, status_error, stream_error
from ._h1 import chunks
from ._inputs import substitute, uploads_of
from ._routing import Router, Stream, StreamHiccup, deliver, dispatch_all, settle
from ._sse import SSEDecoder
from ._submit import job_core, plan
from .endpoint import Endpoint
from .errors import APIConnectionError, GradioError, ProtocolError
from .jobs import Job, JobState

__all__ = ["INTERRUPTED_REASON", "SyncSession"]

log = logging.getLogger("gradio_codegen")
#: Seconds an idle reader thread waits for another job before it ends.
READER_IDLE = 5.0
#: Seconds a stream parked by an iterating caller (back in its own code between two
#: updates) waits for that caller before the reader thread reads it on; also how often
#: the reader thread looks, so a slow caller delays the session's other jobs by no more.
PARK_GRACE = 0.05
INTERRUPTED_REASON = "the call reading the event stream was interrupted; the stream was closed"
T = TypeVar("T")
Steps = Generator[None, None, None]


class _Caller:
    """Marks the stream as read by a waiting caller's thread (not the reader thread)."""


class SyncSession:
    """Queue session shared by every job of one sync client: a ``Router`` driven from
    the joining threads and the one thread reading the stream, under one lock."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._lock = threading.Lock()
        #: Wakes the reader thread when a job registers or the stream is left to it.
        self._wakeup = threading.Condition(self._lock)
        self._router: Router[JobState] = Router()
        #: Who reads the stream now: the reader thread, a waiting caller, or nobody.
        self._reader: threading.Thread | _Caller | None = None
        #: The reader thread, also while it waits for a stream to read.
        self._thread: threading.Thread | None = None
        #: An open stream nobody reads (its caller went back to its own code), and when
        #: it was left (``-inf``: left to the reader thread at once).
        self._parked: Steps | None = None
        self._parked_at = 0.0
        #: Jobs whose callers wait to read the stream themselves, and the one told it
        #: was parked for it (it passes it on if it no longer needs it).
        self._claims: list[JobState] = []
        self._handed: JobState | None = None
        self._response: _http.Response | None = None

    def reset(self) -> None:
        """Start a new session (fresh ``gr.State``) for later jobs."""
        with self._lock:
            self._router.reset()

    # -- submitting ----------------------------------------------------------------

    def call(self, endpoint: Endpoint[T], values: Sequence[Any]) -> T:
        """Run one job to its end: the calling thread reads the stream if nobody does."""
        job: Job[T] = self.submit(endpoint, values, blocking=True)
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
        state.driver = self
        with self._lock:
            core.session_hash, breaks = self._router.target()
        event_id = self.conn.join(
            endpoint.fn_index, data, core.session_hash, endpoint.oauth_token is not None
        )
        self._register(state, event_id, breaks, blocking)
        return Job(state, self)

    def _register(self, state: JobState, event_id: str, breaks: int, blocking: bool) -> None:
        """Hand the job to the router, and make sure a reader will serve it: the one
        there is, the blocking caller itself (``serve``), or the reader thread.

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
                if not blocking and self._reader is None:
                    self._parked_at = float("-inf")  # nobody may wait for this job
                    self._rouse()
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

    def _rouse(self) -> None:
        """Wake the reader thread, or start it (lock held)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, daemon=True,
                name=f"gradio-codegen-stream-{self._router.session_hash[:8]}",
            )
            self._thread.start()
        else:
            self._wakeup.notify()

    # -- waiting callers -----------------------------------------------------------

    def serve(self, state: JobState, ready: Callable[[], bool]) -> None:
        """Return once ``ready()`` (``state``'s job has what its caller waits for),
        reading the stream on this thread whenever nobody else reads it.

        An interruption (KeyboardInterrupt) while reading closes the stream, so the app
        drops the session's jobs: all of them fail.
        """
        me = _Caller()
        try:
            while not ready():
                with self._lock:
                    steps = self._take(me)
                    if steps is None:
                        if state not in self._claims:
                            self._claims.append(state)
                    elif state in self._claims:
                        self._claims.remove(state)
                if steps is None:
                    with state.cond:
                        while not ready() and not self._free():
                            state.cond.wait()
                    continue
                self._read_for(steps, me, state, ready)
        finally:
            if state in self._claims or self._handed is state:
                with self._lock:
                    if state in self._claims:
                        self._claims.remove(state)
                    told = self._pass_on() if self._handed is state else []
                self._notify(told)

    def _pass_on(self) -> list[JobState]:
        """The parked stream to the next waiting caller, or else to the reader thread
        (lock held); returns the caller to tell."""
        self._handed = None
        if self._reader is not None or self._parked is None:
            return []
        if self._claims:
            self._handed = self._claims[0]
            return [self._handed]
        self._parked_at = float("-inf")
        self._rouse()
        return []

    def _free(self) -> bool:
        """Whether a waiting caller may take the stream (read without the lock: the
        caller checks again under it)."""
        return self._reader is None and (self._parked is not None or self._router.pending)

    def _take(self, me: _Caller | threading.Thread) -> Steps | None:
        """The stream for ``me`` to read, if nobody reads it (lock held)."""
        if self._reader is not None or self._router.closed:
            return None
        steps, self._parked = self._parked, None
        self._handed = None
        if steps is None:
            if not self._router.pending:
                return None
            steps = self._steps()
        self._reader = me
        return steps

    def _read_for(
        self, steps: Steps, me: _Caller, state: JobState, ready: Callable[[], bool]
    ) -> None:
        """Read the stream until ``ready()``, then leave it: parked for this caller's
        next step (and told to another waiting caller), or, once its job is done, to
        another waiting caller or the reader thread; with neither and no job pending,
        read on to its end (the app ends it at once), so its connection is reused."""
        try:
            for _ in steps:
                if ready():
                    break
            else:
                return  # no job pending: the stream loop ended
            while True:
                with self._lock:
                    if self._reader is not me:
                        return  # the client was closed
                    done = state.core.done
                    # A done job's caller reads on to the end only a stream that no
                    # thread could: the app may keep one open while it still runs
                    # jobs the client forgot (cancelled ones), which a thread waits out.
                    if not done or self._router.pending or self._thread is not None:
                        self._reader = None
                        self._parked = steps
                        self._parked_at = time.monotonic()
                        if done:
                            claims = self._pass_on()
                        else:
                            claims = self._claims[:1]
                            self._handed = claims[0] if claims else None
                            if self._thread is None:
                                self._rouse()
                        break
                if next(steps, True):
                    return  # read to its end
            self._notify(claims)
        except BaseException:
            steps.close()
            with self._lock:
                reading = self._reader is me
                if reading:
                    self._reader = None
            if reading:
                self._failed(APIConnectionError(INTERRUPTED_REASON))
            raise

    @staticmethod
    def _notify(claims: list[JobState]) -> None:
        """Tell a waiting caller the stream is parked for it (outside the session's
        lock); one at a time, so that many waiting callers do not all wake."""
        for claim in claims:
            with claim.cond:
                claim.cond.notify_all()

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

    def _run(self) -> None:
        """The reader thread's body: it reads the stream whenever no waiting caller
        does, and ends after ``READER_IDLE`` seconds without a job (back-to-back
        ``submit()`` calls then reuse it instead of starting one each)."""
        me = threading.current_thread()
        idle = 0.0
        while True:
            with self._lock:
                router = self._router
                if router.closed:
                    self._thread = None
                    return
                steps = None
                if self._reader is None:
                    if self._parked is not None:
                        # A waiting caller takes a parked stream first; one left
                        # unread for PARK_GRACE is read on here.
                        if time.monotonic() - self._parked_at >= PARK_GRACE:
                            steps = self._take(me)
                    elif router.pending and not self._claims:
                        steps = self._take(me)
                if steps is None:
                    busy = router.pending or self._reader is not None or self._parked is not None
                    if busy:
                        idle = 0.0
                    elif idle >= READER_IDLE:
                        self._thread = None
                        return
                    began = time.monotonic()
                    self._wakeup.wait(PARK_GRACE)
                    if not busy:
                        idle += time.monotonic() - began
                    continue
            idle = 0.0
            self._notify(self._read(steps, me))

    def _read(self, steps: Steps, me: threading.Thread) -> list[JobState]:
        """Read the stream on the reader thread until a caller waits to read it itself
        (the callers to tell it is parked for them), or until no job is pending."""
        for _ in steps:
            if self._claims:
                with self._lock:
                    if self._claims and self._reader is me:
                        self._reader = None
                        self._parked = steps
                        self._parked_at = time.monotonic()
                        self._handed = self._claims[0]
                        return [self._handed]
        return []

    def _steps(self) -> Steps:
        """The reader's loop, one step per chunk of the stream, so that whoever reads
        it can stop between chunks and hand it on; it ends when no job is pending."""
        router = self._router
        while True:
            with self._lock:
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
                        drained = dispatch_all(decoder.feed(chunk), self._dispatch)
                        yield
                    if drained:
                        # Read to the end so the connection goes back to the pool: the
                        # next job's stream then needs no new TCP connection.
                        return
                    if dispatch_all(decoder.flush(), self._dispatch):
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
        return deliver(target, message, self._finished)

    def close(self) -> None:
        """Stop the reader; pending jobs end as cancelled."""
        with self._lock:
            endings = self._router.close()
            self._wakeup.notify_all()
            thread = self._thread
            response = self._response
            parked, self._parked = self._parked, None
        settle(endings)
        if parked is not None:
            parked.close()  # closes its response
        if response is not None:
            try:
                response.close()
            except Exception:
                pass
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
