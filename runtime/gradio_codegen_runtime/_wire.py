"""What the hot paths' pools (``_h1`` sync, ``_h1_async`` async) share: where they
connect, which requests they take, the request bytes, the answer parsed by httptools
(llhttp, compiled), and failures as httpx's exception types.

A pure-Python parser costs more CPU than everything else in a call: h11 took about
1 ms of the async client's 3 ms per call, http.client's header parsing about 0.2 ms
of the sync client's 2 ms. Both pools share this module, so they parse alike and fail
alike (as httpx's exception types).
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httptools

from . import _http

__all__ = [
    "KEEPALIVE_EXPIRY", "MAX_IDLE", "Answer", "Origin", "request_bytes", "request_for",
    "response", "sendable", "translate",
]

#: Idle connections are dropped before uvicorn's 5 s keep-alive would end them, so a
#: request is never sent on a socket the server is closing (as for the httpx clients).
KEEPALIVE_EXPIRY = 3.0
MAX_IDLE = 100

#: A request target, header names and header values on the hot paths: printable ASCII
#: (values may hold spaces), names RFC 9110 tokens. Anything else goes through httpx,
#: which encodes or rejects it with its own errors.
_TARGET = re.compile(r"/[\x21-\x7e]*")
_TOKENS = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]*")
_VALUES = re.compile(r"[\x20-\x7e]*")
#: Headers the pools write themselves: a request that sets one goes through httpx.
_FRAMING = frozenset({"host", "content-length", "transfer-encoding", "accept-encoding",
                      "connection"})


@dataclass(frozen=True)
class Origin:
    """Where a pool connects: ``scheme://netloc`` and its parts."""

    url: str
    https: bool
    host: str
    port: int
    netloc: str

    @classmethod
    def of(cls, base_url: str) -> Origin:
        parts = urlsplit(base_url)
        https = parts.scheme == "https"
        return cls(
            f"{parts.scheme}://{parts.netloc}", https, parts.hostname or "",
            parts.port or (443 if https else 80), parts.netloc,
        )


def sendable(origin: str, url: str, headers: Mapping[str, str]) -> bool:
    """Whether a request to ``url`` on ``origin`` can go out exactly as given."""
    if not url.startswith(origin) or not _TARGET.fullmatch(url, len(origin)):
        return False
    # Joined, the strings match exactly when each of them does: two checks, not 2n.
    return (
        all(headers)
        and _TOKENS.fullmatch("".join(headers)) is not None
        and _VALUES.fullmatch("".join(headers.values())) is not None
        and _FRAMING.isdisjoint(name.lower() for name in headers)
    )


def request_bytes(
    method: str, target: str, host: str, headers: Mapping[str, str], body: bytes | None
) -> bytes:
    """One request, head and body, for headers that ``sendable`` accepted. It asks for
    no content encoding: the hot paths read bodies as they arrive, undecoded."""
    head = f"{method} {target} HTTP/1.1\r\nhost: {host}\r\naccept-encoding: identity\r\n"
    for name, value in headers.items():
        head += f"{name}: {value}\r\n"
    if body is None:
        return (head + "\r\n").encode("ascii")
    return (head + f"content-length: {len(body)}\r\n\r\n").encode("ascii") + body


class Answer:
    """One response as its bytes arrive: ``feed`` them, then read the status and
    headers (once ``head`` is set) and ``take`` the body's pieces; ``done`` when the
    whole message is in. Interim (1xx) answers are skipped."""

    __slots__ = ("_parser", "status", "headers", "head", "done", "reusable", "pending", "_body")

    def __init__(self) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.head = False
        self.done = False
        #: The connection may carry another request (known once ``done``).
        self.reusable = False
        #: Body bytes parsed and not yet taken.
        self.pending = 0
        self._body: list[bytes] = []

    def feed(self, data: bytes | memoryview) -> None:
        """Parse the next bytes from the socket; none is the connection's end."""
        if not data:
            self._end()
            return
        try:
            self._parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade) as exc:
            if not self.done:
                raise _http.RemoteProtocolError(
                    f"malformed answer ({type(exc).__name__})"
                ) from None
            # Bytes after the answer: it is whole, but the connection is unusable.
            self.reusable = False

    def take(self) -> bytes:
        """The body bytes parsed since the last call."""
        body = self._body
        if not body:
            return b""
        self._body = []
        self.pending = 0
        return body[0] if len(body) == 1 else b"".join(body)

    def _end(self) -> None:
        self.reusable = False
        if self.done:
            return
        if not self.head:
            raise _http.RemoteProtocolError("the server closed the connection")
        # Without a length or chunks, a body ends where the connection does; with them,
        # an end before the body's is a broken answer.
        if any(name.lower() in (b"content-length", b"transfer-encoding")
               for name, _ in self.headers):
            raise _http.RemoteProtocolError("the answer ended before its body did")
        self.done = True

    # -- httptools callbacks ---------------------------------------------------------

    def on_message_begin(self) -> None:
        if self.done:  # a second answer to one request
            raise _http.RemoteProtocolError("unexpected bytes after the answer")

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if status < 200:
            self.headers = []  # an interim answer: the real one follows
            return
        self.status = status
        self.head = True

    def on_body(self, body: bytes) -> None:
        if body:
            self._body.append(body)
            self.pending += len(body)

    def on_message_complete(self) -> None:
        if self.head:
            self.done = True
            self.reusable = self._parser.should_keep_alive()


def response(
    method: str, url: str, answer: Answer,
    stream: _http.SyncByteStream | _http.AsyncByteStream | None = None,
) -> _http.Response:
    """An httpx response for ``answer``: its body read already (``stream`` None) or
    read as ``stream`` is iterated. A read body is stored where ``Response.read``
    stores it: its decoder and chunker chain (30 us) has nothing to do here, as the
    hot paths ask for no content encoding."""
    request = request_for(method, url, answer.status, answer.headers)
    if stream is not None:
        return _http.Response(
            answer.status, headers=answer.headers, stream=stream, request=request
        )
    content = answer.take()
    if not _STORES_CONTENT:
        return _http.Response(
            answer.status, headers=answer.headers, content=content, request=request
        )
    loaded = _http.Response(
        answer.status, headers=answer.headers, stream=_http.ByteStream(content),
        request=request,
    )
    loaded._content = content
    return loaded


def _stores_content() -> bool:
    """Whether httpx keeps a read body in ``_content`` (as it has since 0.18): checked
    once, so an httpx that stops doing so only costs ``response`` its fast path."""
    probe = _http.Response(200, stream=_http.ByteStream(b"probe"))
    probe._content = b"probe"
    try:
        return probe.content == b"probe"
    except Exception:
        return False


_STORES_CONTENT = _stores_content()


def request_for(method: str, url: str, status: int, headers: list[tuple[bytes, bytes]]) -> (
    _http.Request | None
):
    """The request an answer needs attached: only errors and answers setting cookies
    use it (building one parses the URL again, a third of a hot path's CPU)."""
    if status < 300 and not any(name.lower() == b"set-cookie" for name, _ in headers):
        return None
    return _http.Request(method, url)


def translate(exc: BaseException, phase: str) -> BaseException:
    """httpx's exception for a failure in ``phase`` (connect, write or read) of a hot
    path. Cancellation and httpx's own exceptions pass through unchanged."""
    if not isinstance(exc, Exception) or isinstance(exc, _http.HTTPError):
        return exc
    if isinstance(exc, TimeoutError):  # socket.timeout and asyncio's, too
        kinds = {
            "connect": _http.ConnectTimeout, "write": _http.WriteTimeout,
            "read": _http.ReadTimeout,
        }
        return kinds[phase](f"timed out ({phase})")
    if phase == "connect":
        return _http.ConnectError(type(exc).__name__)
    if isinstance(exc, ssl.SSLError):
        return _http.RemoteProtocolError(type(exc).__name__)
    if isinstance(exc, OSError):
        kind = _http.WriteError if phase == "write" else _http.ReadError
        return kind(type(exc).__name__)
    return exc
