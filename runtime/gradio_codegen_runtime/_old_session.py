"""Queue sessions for old Gradio servers: one stream per job.

Gradio 4.0-4.8 (``sse``) serves each job on its own ``GET /queue/join`` event stream
and takes the job's data by ``POST /queue/data``; Gradio 3.x (``ws``) serves each job
on its own WebSocket at ``/queue/join``. What to answer when is ``PerJobExchange``'s
(``_old_wire``), the job's updates are ``JobCore``'s: the functions here only open the
stream, pass its messages through ``_old_jobs.answers`` and send the answers it yields,
over blocking I/O here (``OldSession``: on the calling thread for blocking calls, on a
thread per job for ``submit``) and over asyncio in ``_old_async_session``
(``AsyncOldSession``: a task per job); what the two share is in ``_old_jobs``.

A 3.x event that runs without a queue (the app never called ``demo.queue()``, or
``queue=False``) is one ``POST /run/predict`` instead.

A session hash is kept per client, so ``gr.State`` lives across calls. Cancelling asks
the app to stop a running generator (``POST /reset``) and closes the job's stream,
which drops a queued job; a running function that is not a generator still runs to
its end on the app, and its result is discarded.

The WebSocket client (``websockets``) is an optional dependency, ``gradio-codegen-runtime[ws]``,
imported only when a 3.x app is called.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, Callable, Mapping, Sequence, TypeVar

from . import _http
from . import _old_jobs as per_job
from ._answers import dumps
from ._connection import JSON, Connection, status_error
from ._h1 import chunks
from ._inputs import uploads_of
from ._old_wire import PerJobExchange
from ._sse import SSEDecoder
from .endpoint import Endpoint
from .errors import APIConnectionError, GradioError, ProtocolError
from .jobs import Job, JobState

__all__ = ["OldSession"]

log = logging.getLogger("gradio_codegen")
T = TypeVar("T")


class OldSession(per_job.PerJobSessionBase):
    """Jobs of a sync client on an old server, each on a stream of its own."""

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self._lock = threading.Lock()
        self._closers: dict[int, Callable[[], None]] = {}
        self._jobs: dict[int, JobState] = {}

    def call(self, endpoint: Endpoint[T], values: Sequence[Any]) -> T:
        job: Job[T] = self.submit(endpoint, values, blocking=True)
        return job.result()

    def submit(
        self, endpoint: Endpoint[Any], values: Sequence[Any], *, blocking: bool = False
    ) -> Job[Any]:
        """Start a job; ``blocking``: run its stream on this thread, to its per_job.end."""
        info = self.conn.ensure_ready()
        pending = per_job.checked_inputs(self.conn, endpoint, values)
        files = uploads_of(pending)
        if per_job.files_inline(info):
            paths: list[str | Mapping[str, Any]] = [per_job.inline_file(f) for f in files]
        else:
            paths = list(self.conn.upload(files)) if files else []
        core, exchange = per_job.job_parts(
            self.conn, info, endpoint, pending, paths, self.session_hash
        )
        core.session_hash = exchange.session_hash
        job = JobState(core)
        how = per_job.runner(info, exchange)
        run = {"post": self._run_post, "ws": self._run_ws, "sse": self._run_sse}[how]
        if how == "ws":
            try:
                import websockets.sync.client  # noqa: F401
            except ImportError:
                raise per_job.websockets_missing(info) from None
        with self._lock:
            if self._closed:
                raise GradioError("the client is closed")
            self._jobs[id(job)] = job
            self._exchanges[id(job)] = exchange
        if blocking:
            self._serve(run, job, exchange)
        else:
            threading.Thread(
                target=self._serve, args=(run, job, exchange), daemon=True,
                name=f"gradio-codegen-job-{exchange.session_hash[:8]}",
            ).start()
        return Job(job, self)

    def _serve(
        self, run: Callable[[JobState, PerJobExchange], None], job: JobState,
        exchange: PerJobExchange,
    ) -> None:
        try:
            run(job, exchange)
            per_job.end_of_stream(job)
        except GradioError as exc:
            per_job.end(job, exc)
        except Exception as exc:  # never leave the job waiting on a dead stream
            per_job.end(job, ProtocolError(f"the job's stream failed: {exc!r}"))
        except BaseException:  # an interrupted blocking call: its job ends with it
            per_job.end(job, APIConnectionError("the call was interrupted"))
            raise
        finally:
            with self._lock:
                self._closers.pop(id(job), None)
                self._jobs.pop(id(job), None)
                self._exchanges.pop(id(job), None)

    def _opened(self, job: JobState, closer: Callable[[], None]) -> None:
        """Record how to close the job's stream; close it at once if the job was
        cancelled (or the client closed) while it opened."""
        with self._lock:
            self._closers[id(job)] = closer
            late = job.core.done
        if late:
            closer()

    def _run_sse(self, job: JobState, exchange: PerJobExchange) -> None:
        conn = self.conn
        url = conn.url("queue/join") + "?" + exchange.join_query()
        try:
            with conn.stream_get(url, conn.stream_http_timeout) as response:
                if response.status_code >= 400:
                    response.read()
                    raise status_error(response, "joining the queue")
                self._opened(job, response.close)
                decoder = SSEDecoder()
                for chunk in chunks(response):
                    for reply in per_job.answers(job, exchange, decoder.feed(chunk)):
                        self._post_data(reply)
                    if per_job.finished(job, exchange):
                        return
        except (_http.TransportError, _http.TimeoutException) as exc:
            if not job.core.done:
                raise per_job.http_error(exc, conn) from None

    def _run_post(self, job: JobState, exchange: PerJobExchange) -> None:
        response = self.conn._send(
            "POST", self.conn.url(exchange.run_path), "calling the app", content_type=JSON,
            content=dumps(exchange.run_body()),
        )
        message = per_job.run_message(response)
        exchange.feed(message)
        per_job.deliver(job, exchange, message)

    def _post_data(self, body: dict[str, Any]) -> None:
        response = self.conn._send(
            "POST", self.conn.url("queue/data"), "sending the job's data",
            content_type=JSON, content=dumps(body),
        )
        if response.status_code >= 400:
            raise status_error(response, "sending the job's data")

    def _run_ws(self, job: JobState, exchange: PerJobExchange) -> None:
        from websockets.sync.client import connect

        url, options = per_job.ws_target(self.conn, self.conn.sync)
        try:
            with connect(url, **options) as ws:
                self._opened(job, ws.close)
                opening = exchange.opening()
                if opening is not None:
                    ws.send(json.dumps(opening))
                while not per_job.finished(job, exchange):
                    for reply in per_job.answers(job, exchange, [json.loads(ws.recv())]):
                        ws.send(json.dumps(reply))
        except Exception as exc:
            if not job.core.done:
                raise per_job.ws_error(exc, self.conn) from None

    def cancel(self, job: JobState) -> bool:
        request = self._reset_request(job)
        if request is not None:
            try:
                self.conn._send(
                    "POST", request[0], "cancelling", content_type=JSON, content=request[1]
                )
            except GradioError as exc:
                log.warning("cancel request failed: %s", exc)
        job.cancelled()
        with self._lock:
            closer = self._closers.get(id(job))
        if closer is not None:
            per_job.quietly(closer)
        return True

    def close(self) -> None:
        """Close every job's stream; pending jobs per_job.end as cancelled."""
        with self._lock:
            self._closed = True
            jobs = list(self._jobs.values())
            closers = list(self._closers.values())
        for job in jobs:
            job.cancelled("the client was closed")
        for closer in closers:
            per_job.quietly(closer)
