"""Queue sessions for old Gradio servers: one stream per job.

Gradio 4.0-4.8 (``sse``) serves each job on its own ``GET /queue/join`` event stream
and takes the job's data by ``POST /queue/data``; Gradio 3.x (``ws``) serves each job
on its own WebSocket at ``/queue/join``. What to answer when is ``PerJobExchange``'s
(``_old_wire``), the job's updates are ``JobCore``'s: the functions here only open the
stream, pass each message through ``_deliver`` and send the answers, once over
blocking I/O (``OldSession``: on the calling thread for blocking calls, on a thread per
job for ``submit``) and once over asyncio (``AsyncOldSession``: a task per job).

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

import asyncio
import json
import logging
import ssl
import threading
import uuid
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

from . import _http, _transfer
from ._answers import dumps
from ._connection import JSON, USER_AGENT, Connection, redact_url, status_error
from ._core import JobCore
from ._h1 import chunks
from ._h1_async import achunks
from ._inputs import Pending, collect, substitute, uploads_of
from ._old_wire import PerJobExchange, from_wire, run_answer, to_wire
from ._sse import SSEDecoder
from .endpoint import Endpoint
from .errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    GradioError,
    ProtocolError,
)
from ._outputs import wrap_files
from .jobs import AsyncJob, AsyncJobState, Job, JobState

if TYPE_CHECKING:
    from ._connection import ServerInfo

__all__ = ["AsyncOldSession", "OldSession"]

log = logging.getLogger("gradio_codegen")
T = TypeVar("T")
AnyJob = TypeVar("AnyJob", JobState, AsyncJobState)
#: Largest WebSocket message accepted (3.x sends images and files inline, base64).
MAX_WS_MESSAGE = 256 * 1024**2
WS_EXTRA = (
    "this app runs Gradio {version}, which speaks the 3.x WebSocket protocol: install "
    "the 'ws' extra (pip install 'gradio-codegen-runtime[ws]')"
)
CLOSED_EARLY = "the app's stream for this job ended before the job completed"


# -- what the sync and async sessions share ----------------------------------------


def _pending(conn: Connection, endpoint: Endpoint[Any], values: Sequence[Any]) -> Pending:
    """Check the arguments and find the files to upload (nothing sent yet)."""
    pending = collect(endpoint, endpoint.check(values))
    if pending.uploads:
        _transfer.check_size(conn, pending.uploads)
    return pending


def _job_parts(
    conn: Connection, info: ServerInfo, endpoint: Endpoint[Any], pending: Pending,
    paths: Sequence[str], session_hash: str,
) -> tuple[JobCore, PerJobExchange]:
    """The job's update core and its half of the per-job exchange."""
    protocol = info.protocol
    data = to_wire(protocol, endpoint.layout(substitute(pending, paths)))

    def decode(raw: list[Any]) -> Any:
        return endpoint.shape(wrap_files(from_wire(protocol, raw), conn))

    core = JobCore(endpoint.fn_index, protocol, decode, endpoint.generator)
    return core, PerJobExchange(protocol, endpoint.fn_index, session_hash, data)


def _deliver(job: JobState | AsyncJobState, exchange: PerJobExchange, msg: Any) -> None:
    """Hand one message (already answered) to the job."""
    if exchange.event_id is not None and job.core.event_id is None:
        job.core.event_id = exchange.event_id
    if isinstance(msg, dict):
        job.apply([msg])


def _runner(info: ServerInfo, exchange: PerJobExchange) -> str:
    """How the job travels: "post" (a 3.x event without a queue), "ws" or "sse"."""
    if info.protocol == "ws" and exchange.fn_index in info.unqueued:
        return "post"
    return "ws" if info.protocol == "ws" else "sse"


def _run_message(response: _http.Response) -> dict[str, Any]:
    """The message a ``/run/predict`` answer stands for, or its status error."""
    try:
        body = response.json()
    except ValueError:
        body = None
    message = run_answer(response.status_code, body)
    if message is None:
        raise status_error(response, "calling the app")
    return message


def _websockets_missing(info: ServerInfo) -> ProtocolError:
    return ProtocolError(WS_EXTRA.format(version=info.version))


def _ws_target(
    conn: Connection, client: _http.Client | _http.AsyncClient | None
) -> tuple[str, dict[str, Any]]:
    """The WebSocket URL and ``connect`` options: the app's headers and login cookie,
    the client's proxy (resolved as for HTTP) and TLS verification.

    3.x sends nothing while a job waits or runs, so silence is no sign of a dead
    stream there: the WebSocket's pings (every 20 s, 20 s to answer) are."""
    http_url = conn.url("queue/join")
    headers = conn.headers_for(http_url)
    headers.pop("user-agent", None)
    conn._add_cookies(client, "GET", http_url, headers)
    url = "ws" + http_url[len("http"):]
    options: dict[str, Any] = {
        "additional_headers": headers, "user_agent_header": USER_AGENT,
        "proxy": conn._proxy, "open_timeout": conn.timeout.connect,
        "max_size": MAX_WS_MESSAGE,
    }
    if url.startswith("wss:"):
        if isinstance(conn.verify, ssl.SSLContext):
            options["ssl"] = conn.verify
        elif not conn.verify:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            options["ssl"] = context
    return url, options


def _ws_error(exc: BaseException, conn: Connection) -> BaseException:
    """The runtime's error for a WebSocket failure (the exception itself if it is not
    one of the transport's)."""
    import websockets.exceptions as wse

    where = redact_url(conn.base_url)
    if isinstance(exc, wse.InvalidStatus):
        answer = exc.response
        response = _http.Response(
            answer.status_code, headers=list(answer.headers.raw_items()),
            content=bytes(answer.body or b""),
        )
        return status_error(response, "opening the job's WebSocket")
    if isinstance(exc, wse.ConnectionClosed):
        code = exc.rcvd.code if exc.rcvd is not None else None
        if code == 1008:
            return AuthenticationError(
                "the app refused the job's WebSocket: it needs a login (auth=(user, password))",
                status_code=401,
            )
        return APIConnectionError(f"{CLOSED_EARLY} (WebSocket closed, {where})")
    if isinstance(exc, TimeoutError):
        return APITimeoutError(f"no message from {where} within the stream timeout")
    if isinstance(exc, wse.WebSocketException):
        return ProtocolError(f"the job's WebSocket failed: {type(exc).__name__}")
    if isinstance(exc, OSError):
        return APIConnectionError(f"cannot reach {where} ({type(exc).__name__})")
    return exc


def _http_error(exc: BaseException, conn: Connection) -> BaseException:
    where = redact_url(conn.base_url)
    if isinstance(exc, _http.TimeoutException):
        return APITimeoutError(f"no message from {where} within the stream timeout")
    if isinstance(exc, _http.TransportError):
        return APIConnectionError(f"the job's event stream from {where} broke")
    return exc


def _end(job: JobState | AsyncJobState, error: BaseException) -> None:
    """End a job whose stream failed: cancelled when it was asked to be."""
    if job.core.cancel_requested:
        job.cancelled()
    else:
        job.fail(error)


def _end_of_stream(job: JobState | AsyncJobState) -> None:
    if not job.core.done:
        _end(job, APIConnectionError(CLOSED_EARLY))


class _Base:
    """Session hash and the open jobs, for the sync and async sessions."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.session_hash = uuid.uuid4().hex
        self._closed = False
        self._exchanges: dict[int, PerJobExchange] = {}

    def reset(self) -> None:
        """Start a new session (fresh ``gr.State``) for later jobs."""
        self.session_hash = uuid.uuid4().hex

    def _reset_request(self, job: JobState | AsyncJobState) -> tuple[str, bytes] | None:
        exchange = self._exchanges.get(id(job))
        body = exchange.reset_body() if exchange is not None else None
        return None if body is None else (self.conn.url("reset"), dumps(body))


# -- blocking I/O ---------------------------------------------------------------------


class OldSession(_Base):
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
        """Start a job; ``blocking``: run its stream on this thread, to its end."""
        info = self.conn.ensure_ready()
        pending = _pending(self.conn, endpoint, values)
        paths = self.conn.upload(uploads_of(pending)) if pending.uploads else []
        core, exchange = _job_parts(self.conn, info, endpoint, pending, paths, self.session_hash)
        core.session_hash = exchange.session_hash
        job = JobState(core)
        how = _runner(info, exchange)
        run = {"post": self._run_post, "ws": self._run_ws, "sse": self._run_sse}[how]
        if how == "ws":
            try:
                import websockets.sync.client  # noqa: F401
            except ImportError:
                raise _websockets_missing(info) from None
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
            _end_of_stream(job)
        except GradioError as exc:
            _end(job, exc)
        except Exception as exc:  # never leave the job waiting on a dead stream
            _end(job, ProtocolError(f"the job's stream failed: {exc!r}"))
        except BaseException:  # an interrupted blocking call: its job ends with it
            _end(job, APIConnectionError("the call was interrupted"))
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
                    for msg in decoder.feed(chunk):
                        reply = exchange.feed(msg)
                        if reply is not None:
                            self._post_data(reply)
                        _deliver(job, exchange, msg)
                        if exchange.done or job.core.done:
                            return
        except (_http.TransportError, _http.TimeoutException) as exc:
            if not job.core.done:
                raise _http_error(exc, conn) from None

    def _run_post(self, job: JobState, exchange: PerJobExchange) -> None:
        response = self.conn._send(
            "POST", self.conn.url("run/predict"), "calling the app", content_type=JSON,
            content=dumps(exchange.run_body()),
        )
        message = _run_message(response)
        exchange.feed(message)
        _deliver(job, exchange, message)

    def _post_data(self, body: dict[str, Any]) -> None:
        response = self.conn._send(
            "POST", self.conn.url("queue/data"), "sending the job's data",
            content_type=JSON, content=dumps(body),
        )
        if response.status_code >= 400:
            raise status_error(response, "sending the job's data")

    def _run_ws(self, job: JobState, exchange: PerJobExchange) -> None:
        from websockets.sync.client import connect

        url, options = _ws_target(self.conn, self.conn.sync)
        try:
            with connect(url, **options) as ws:
                self._opened(job, ws.close)
                while not (exchange.done or job.core.done):
                    msg = json.loads(ws.recv())
                    reply = exchange.feed(msg)
                    if reply is not None:
                        ws.send(json.dumps(reply))
                    _deliver(job, exchange, msg)
        except Exception as exc:
            if not job.core.done:
                raise _ws_error(exc, self.conn) from None

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
            _quietly(closer)
        return True

    def close(self) -> None:
        """Close every job's stream; pending jobs end as cancelled."""
        with self._lock:
            self._closed = True
            jobs = list(self._jobs.values())
            closers = list(self._closers.values())
        for job in jobs:
            job.cancelled("the client was closed")
        for closer in closers:
            _quietly(closer)


def _quietly(closer: Callable[[], None]) -> None:
    try:
        closer()
    except Exception:  # the stream is being abandoned: nothing to report
        pass


# -- asyncio --------------------------------------------------------------------------


class AsyncOldSession(_Base):
    """Jobs of an async client on an old server, each a task with a stream of its own."""

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._jobs: dict[int, AsyncJobState] = {}

    async def submit(self, endpoint: Endpoint[Any], values: Sequence[Any]) -> AsyncJob[Any]:
        info = await self.conn.aensure_ready()
        pending = _pending(self.conn, endpoint, values)
        paths = await self.conn.aupload(uploads_of(pending)) if pending.uploads else []
        core, exchange = _job_parts(self.conn, info, endpoint, pending, paths, self.session_hash)
        core.session_hash = exchange.session_hash
        job = AsyncJobState(core)
        how = _runner(info, exchange)
        if how == "ws":
            try:
                import websockets.asyncio.client  # noqa: F401
            except ImportError:
                raise _websockets_missing(info) from None
        if self._closed:
            raise GradioError("the client is closed")
        run = {"post": self._run_post, "ws": self._run_ws, "sse": self._run_sse}[how]
        self._jobs[id(job)] = job
        self._exchanges[id(job)] = exchange
        self._tasks[id(job)] = asyncio.create_task(self._serve(run, job, exchange))
        return AsyncJob(job, self)

    async def _serve(self, run: Any, job: AsyncJobState, exchange: PerJobExchange) -> None:
        try:
            await run(job, exchange)
            _end_of_stream(job)
        except GradioError as exc:
            _end(job, exc)
        except asyncio.CancelledError:
            _end(job, APIConnectionError("the job's task was cancelled"))
            raise
        except Exception as exc:  # never leave the job waiting on a dead stream
            _end(job, ProtocolError(f"the job's stream failed: {exc!r}"))
        finally:
            self._tasks.pop(id(job), None)
            self._jobs.pop(id(job), None)
            self._exchanges.pop(id(job), None)

    async def _run_sse(self, job: AsyncJobState, exchange: PerJobExchange) -> None:
        conn = self.conn
        url = conn.url("queue/join") + "?" + exchange.join_query()
        try:
            async with await conn.astream_get(url, conn.stream_http_timeout) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise status_error(response, "joining the queue")
                decoder = SSEDecoder()
                async for chunk in achunks(response):
                    for msg in decoder.feed(chunk):
                        reply = exchange.feed(msg)
                        if reply is not None:
                            await self._post_data(reply)
                        _deliver(job, exchange, msg)
                        if exchange.done or job.core.done:
                            return
        except (_http.TransportError, _http.TimeoutException) as exc:
            if not job.core.done:
                raise _http_error(exc, conn) from None

    async def _run_post(self, job: AsyncJobState, exchange: PerJobExchange) -> None:
        response = await self.conn._asend(
            "POST", self.conn.url("run/predict"), "calling the app", content_type=JSON,
            content=dumps(exchange.run_body()),
        )
        message = _run_message(response)
        exchange.feed(message)
        _deliver(job, exchange, message)

    async def _post_data(self, body: dict[str, Any]) -> None:
        response = await self.conn._asend(
            "POST", self.conn.url("queue/data"), "sending the job's data",
            content_type=JSON, content=dumps(body),
        )
        if response.status_code >= 400:
            raise status_error(response, "sending the job's data")

    async def _run_ws(self, job: AsyncJobState, exchange: PerJobExchange) -> None:
        from websockets.asyncio.client import connect

        url, options = _ws_target(self.conn, self.conn.aclient)
        try:
            async with connect(url, **options) as ws:
                while not (exchange.done or job.core.done):
                    msg = json.loads(await ws.recv())
                    reply = exchange.feed(msg)
                    if reply is not None:
                        await ws.send(json.dumps(reply))
                    _deliver(job, exchange, msg)
        except Exception as exc:
            if not job.core.done:
                raise _ws_error(exc, self.conn) from None

    async def cancel(self, job: AsyncJobState) -> bool:
        request = self._reset_request(job)
        if request is not None:
            try:
                await self.conn._asend(
                    "POST", request[0], "cancelling", content_type=JSON, content=request[1]
                )
            except GradioError as exc:
                log.warning("cancel request failed: %s", exc)
        job.cancelled()
        task = self._tasks.get(id(job))
        if task is not None:
            task.cancel()  # closes the job's stream
        return True

    async def close(self) -> None:
        self._closed = True
        for job in list(self._jobs.values()):
            job.cancelled("the client was closed")
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
