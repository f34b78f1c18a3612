"""What the sync and async sessions of old Gradio servers share (``_old_session``,
``_old_async_session``), all without I/O: preparing a job and its half of the
per-job exchange (``_old_wire``), passing the stream's messages through that exchange
to the job (``answers``: the drivers only send what it yields), the WebSocket's
address and options, and the errors that end a job whose stream failed.
"""

from __future__ import annotations

import base64
import mimetypes
import ssl
import uuid
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

from . import _http, _transfer
from ._answers import dumps
from ._connection import USER_AGENT, Connection, redact_url, status_error
from ._core import JobCore
from ._inputs import Pending, collect, substitute
from ._old_wire import PerJobExchange, from_wire, run_answer, to_wire
from ._outputs import wrap_files
from .endpoint import Endpoint
from ._uploads import opened
from .errors import (
    APIConnectionError, APITimeoutError, AuthenticationError, ProtocolError, ValidationError,
)
from .files import UploadFile
from .jobs import AsyncJobState, JobState

if TYPE_CHECKING:
    from ._connection import ServerInfo

__all__ = [
    "CLOSED_EARLY", "PerJobSessionBase", "answers", "checked_inputs", "deliver", "end",
    "end_of_stream", "files_inline", "finished", "http_error", "inline_file", "job_parts",
    "quietly", "run_message", "runner", "websockets_missing", "ws_error", "ws_target",
]

#: Largest WebSocket message accepted (3.x sends images and files inline, base64).
MAX_WS_MESSAGE = 256 * 1024**2
WS_EXTRA = (
    "this app runs Gradio {version}, which speaks the 3.x WebSocket protocol: install "
    "the 'ws' extra (pip install 'gradio-codegen-runtime[ws]')"
)
CLOSED_EARLY = "the app's stream for this job ended before the job completed"
POLLED_QUEUE = (
    "this app runs Gradio {version}, whose queue (3.0 to 3.1.4) is polled over HTTP: the "
    "runtime speaks the WebSocket queue of 3.1.5 and later, so only this app's events "
    "without a queue can be called"
)


def checked_inputs(conn: Connection, endpoint: Endpoint[Any], values: Sequence[Any]) -> Pending:
    """Check the arguments and find the files to upload (nothing sent yet)."""
    pending = collect(endpoint, endpoint.check(values))
    if pending.uploads:
        _transfer.check_size(conn, pending.uploads)
    return pending


def job_parts(
    conn: Connection, info: ServerInfo, endpoint: Endpoint[Any], pending: Pending,
    paths: Sequence[str | Mapping[str, Any]], session_hash: str,
) -> tuple[JobCore, PerJobExchange]:
    """The job's update core and its half of the per-job exchange."""
    protocol = info.protocol
    data = to_wire(protocol, endpoint.layout(substitute(pending, paths)))

    def decode(raw: list[Any]) -> Any:
        return endpoint.shape(wrap_files(from_wire(protocol, raw), conn))

    core = JobCore(endpoint.fn_index, protocol, decode, endpoint.generator)
    exchange = PerJobExchange(protocol, endpoint.fn_index, session_hash, data)
    if _before(info, (3, 9)):
        exchange.run_path = "api/predict"
    exchange.hash_first = _before(info, (3, 3))
    return core, exchange


def _before(info: ServerInfo, release: tuple[int, ...]) -> bool:
    """A 3.x server known to be older than ``release``."""
    known = info.release
    return info.protocol == "ws" and known is not None and known < release


def files_inline(info: ServerInfo) -> bool:
    """Gradio 3.x before 3.19 has no ``/upload``: a call carries its files' bytes."""
    return _before(info, (3, 19))


def inline_file(upload: UploadFile) -> dict[str, Any]:
    """A file as 3.x before 3.19 takes it in a call: its own file dict with the bytes
    as a base64 data URL (read into memory: those versions have no other way)."""
    with opened(upload) as source:
        content = source if isinstance(source, bytes) else source.read()
    if not isinstance(content, bytes):
        raise ValidationError(f"file {upload.name!r}: its stream gave no bytes")
    mime = mimetypes.guess_type(upload.name)[0] or "application/octet-stream"
    encoded = base64.b64encode(content).decode("ascii")
    return {
        "name": upload.name, "orig_name": upload.name, "size": len(content),
        "data": f"data:{mime};base64,{encoded}", "is_file": False,
    }


def deliver(job: JobState | AsyncJobState, exchange: PerJobExchange, msg: Any) -> None:
    """Hand one message (already answered) to the job."""
    if exchange.event_id is not None and job.core.event_id is None:
        job.core.event_id = exchange.event_id
    if isinstance(msg, dict):
        job.apply([msg])


def answers(
    job: JobState | AsyncJobState, exchange: PerJobExchange, messages: Iterable[Any]
) -> Iterator[dict[str, Any]]:
    """Pass each message through the exchange and to the job, yielding the exchange's
    reply for the driver to send before the message that asked for it is delivered;
    stops at the job's end (``finished``)."""
    for msg in messages:
        reply = exchange.feed(msg)
        if reply is not None:
            yield reply
        deliver(job, exchange, msg)
        if finished(job, exchange):
            return


def finished(job: JobState | AsyncJobState, exchange: PerJobExchange) -> bool:
    """Whether the job's stream has nothing more for it."""
    return exchange.done or job.core.done


def runner(info: ServerInfo, exchange: PerJobExchange) -> str:
    """How the job travels: "post" (a 3.x event without a queue), "ws" or "sse"."""
    if info.protocol == "ws" and exchange.fn_index in info.unqueued:
        return "post"
    if _before(info, (3, 1, 5)):
        raise ProtocolError(POLLED_QUEUE.format(version=info.version))
    return "ws" if info.protocol == "ws" else "sse"


def run_message(response: _http.Response) -> dict[str, Any]:
    """The message a ``/run/predict`` answer stands for, or its status error."""
    try:
        body = response.json()
    except ValueError:
        body = None
    message = run_answer(response.status_code, body)
    if message is None:
        raise status_error(response, "calling the app")
    return message


def websockets_missing(info: ServerInfo) -> ProtocolError:
    return ProtocolError(WS_EXTRA.format(version=info.version))


def ws_target(
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
    if url.startswith("ws:"):
        _plain_login_cookie(headers)
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


def _plain_login_cookie(headers: dict[str, str]) -> None:
    """Gradio 3.19-3.25 sets its login token twice, as ``access-token`` (a secure
    cookie, never sent over plain http) and ``access-token-unsecure``, but its
    WebSocket reads only the first: over http the token goes under that name too."""
    pairs = [p.strip() for p in headers.get("cookie", "").split(";") if "=" in p]
    cookies = dict(p.split("=", 1) for p in pairs)
    token = cookies.get("access-token-unsecure")
    if token and "access-token" not in cookies:
        headers["cookie"] = "; ".join([*pairs, f"access-token={token}"])


def ws_error(exc: BaseException, conn: Connection) -> BaseException:
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


def http_error(exc: BaseException, conn: Connection) -> BaseException:
    where = redact_url(conn.base_url)
    if isinstance(exc, _http.TimeoutException):
        return APITimeoutError(f"no message from {where} within the stream timeout")
    if isinstance(exc, _http.TransportError):
        return APIConnectionError(f"the job's event stream from {where} broke")
    return exc


def end(job: JobState | AsyncJobState, error: BaseException) -> None:
    """End a job whose stream failed: cancelled when it was asked to be."""
    if job.core.cancel_requested:
        job.cancelled()
    else:
        job.fail(error)


def end_of_stream(job: JobState | AsyncJobState) -> None:
    if not job.core.done:
        end(job, APIConnectionError(CLOSED_EARLY))


class PerJobSessionBase:
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


def quietly(closer: Callable[[], None]) -> None:
    try:
        closer()
    except Exception:  # the stream is being abandoned: nothing to report
        pass
