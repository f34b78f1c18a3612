"""Connection to one Gradio app: addresses, credentials, HTTP clients and retries.

Shared by the sync and async clients. It knows where the app is (base URL and API
prefix), who may see the token (only Hugging Face hosts and hosts the user allowed),
and how to turn HTTP failures into the runtime's typed errors. It contacts no host but
the app's. File uploads and downloads are in ``_transfer``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import os
import threading
import time
from contextlib import aclosing, closing
from dataclasses import dataclass
from typing import (
    Any, AsyncContextManager, Callable, ContextManager, Iterable, Mapping, Sequence,
)
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from . import _http
from ._h1 import H1Pool
from ._h1_async import AsyncH1Pool, Feed
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ProtocolError,
)
from ._httperrors import (
    JOIN_RETRY_STATUS, RETRY_STATUS, RetryPolicy, retry_after, status_error,
)

__all__ = [
    "MAX_DOWNLOAD_SIZE", "STREAM_READ_TIMEOUT", "Connection", "RetryPolicy", "ServerInfo",
    "check_limits", "redact_url", "retry_after", "status_error", "stream_error",
    "transport_error",
]

USER_AGENT = "gradio-codegen"
_HF_SUFFIXES = (".hf.space", ".huggingface.co")
_HF_HOSTS = ("huggingface.co", "hf.co")
JSON = "application/json"
DEFAULT_TIMEOUT = _http.Timeout(connect=10.0, read=60.0, write=60.0, pool=60.0)
#: Default ``stream_timeout``: the queue stream is quiet between heartbeats (every
#: 15 s), so its read timeout must outlast several of them whatever timeout the caller
#: chose for requests.
STREAM_READ_TIMEOUT = 60.0
#: Default ``max_download_size`` (bytes): a hostile or broken app must not be able to
#: fill the disk or memory with an endless file.
MAX_DOWNLOAD_SIZE = 20 * 1024**3
#: Joins in flight per client. Gradio slows down sharply with many simultaneous
#: connections (200 parallel joins took 5x longer than 16 at a time), and a join is a
#: short request, so callers beyond this wait their turn instead of opening sockets.
MAX_CONCURRENT_JOINS = 16
#: Async downloads running at once per client (each in a thread of its own).
DOWNLOAD_THREADS = 8


def redact_url(url: str) -> str:
    """The URL without user info or query string (they may hold credentials)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


@dataclass(frozen=True)
class ServerInfo:
    """What the runtime must know about the server before calling it."""

    api_prefix: str = ""
    protocol: str = "sse_v3"
    version: str = "unknown"
    max_file_size: int | None = None
    config: Mapping[str, Any] | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ServerInfo:
        protocol = config.get("protocol") or "ws"
        version = str(config.get("version") or "unknown")
        if protocol == "ws":
            raise ProtocolError(
                f"this app runs Gradio {version}, which speaks the 3.x websocket protocol; "
                "gradio-codegen supports Gradio 4.0 and later"
            )
        size = config.get("max_file_size")
        return cls(
            api_prefix=str(config.get("api_prefix") or "").rstrip("/"),
            protocol=str(protocol),
            version=version,
            max_file_size=size if isinstance(size, int) and size > 0 else None,
            config=config,
        )


class Connection:
    """Addresses, credentials and HTTP clients for one app."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | _http.Timeout | None = None,
        retry: RetryPolicy | None = None,
        server: ServerInfo | None = None,
        token_hosts: Iterable[str] = (),
        verify: bool = True,
        max_download_size: int | None = MAX_DOWNLOAD_SIZE,
        stream_timeout: float | None = STREAM_READ_TIMEOUT,
        transport: Any = None,
        async_transport: Any = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {redact_url(base_url)!r}")
        check_limits(max_download_size, stream_timeout)
        # Credentials in the URL become Basic auth for the app's host only; the query
        # string (``?token=...``) is dropped. Neither may reach logs or other hosts.
        parts = urlsplit(base_url)
        self._basic: str | None = None
        if parts.username is not None or parts.password is not None:
            pair = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
            self._basic = "Basic " + base64.b64encode(pair.encode()).decode()
        self.base_url = redact_url(base_url).rstrip("/")
        self._token = token
        self._auth = auth
        self.extra_headers = dict(headers or {})
        if isinstance(timeout, (int, float)):
            timeout = _http.Timeout(timeout, connect=min(10.0, float(timeout)))
        self.timeout = timeout or DEFAULT_TIMEOUT
        t = self.timeout
        #: Seconds the queue stream may stay silent before its jobs fail (None: no limit).
        self.stream_timeout = None if stream_timeout is None else float(stream_timeout)
        #: The queue stream's HTTP timeouts: the caller's, except for reading, which
        #: follows ``stream_timeout`` instead (the request timeout may be far shorter
        #: than the server's 15 s heartbeat).
        self.stream_http_timeout = _http.Timeout(
            connect=t.connect, read=self.stream_timeout, write=t.write, pool=t.pool,
        )
        self.retry = retry or RetryPolicy()
        self.server = server
        self._token_hosts = {_host_key(self.base_url) if _is_hf(self.base_url) else ""}
        self._token_hosts |= {_host_key(h if "://" in h else "https://" + h) for h in token_hosts}
        hf_endpoint = os.environ.get("HF_ENDPOINT")
        if hf_endpoint:
            self._token_hosts.add(_host_key(hf_endpoint))
        self._token_hosts.discard("")
        self.verify = verify
        self.max_download_size = max_download_size
        self._transport = transport
        self._async_transport = async_transport
        self._sync: _http.Client | None = None
        self._h1: H1Pool | None = None
        self._ah1: AsyncH1Pool | None = None
        self._async: _http.AsyncClient | None = None
        self._lock = threading.RLock()
        self._async_lock: asyncio.Lock | None = None
        self._logged_in = auth is None
        self.cookies = _http.Cookies()
        self._join_slots = threading.BoundedSemaphore(MAX_CONCURRENT_JOINS)
        self._ajoin_slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self._download_slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    def __repr__(self) -> str:
        return f"Connection({redact_url(self.base_url)!r})"

    # -- addresses -------------------------------------------------------------------

    @property
    def prefix(self) -> str:
        return self.server.api_prefix if self.server else ""

    def url(self, route: str, *, prefixed: bool = True) -> str:
        return f"{self.base_url}{self.prefix if prefixed else ''}/{route.lstrip('/')}"

    def file_url(self, path: str, url: str | None, is_stream: bool = False) -> str:
        """Where to download a file output from: the app's own ``file=`` route for
        server paths, the given URL for streams and remote files."""
        if path.startswith(("http://", "https://")):
            return path
        if is_stream and url:
            return url if "://" in url else self.base_url + "/" + url.lstrip("/")
        return self.url("file=" + quote(path, safe="/:"))

    def token_allowed(self, url: str) -> bool:
        return _host_key(url) in self._token_hosts

    def allow_token_host(self, url: str) -> None:
        self._token_hosts.add(_host_key(url))

    def headers_for(self, url: str) -> dict[str, str]:
        headers = {"user-agent": USER_AGENT, **self.extra_headers}
        if self._basic and _host_key(url) == _host_key(self.base_url):
            headers["authorization"] = self._basic
        if self._token and self.token_allowed(url):
            headers["x-hf-authorization"] = f"Bearer {self._token}"
        return headers

    # -- clients ---------------------------------------------------------------------

    def _client_kwargs(self) -> dict[str, Any]:
        return {
            "timeout": self.timeout,
            "follow_redirects": False,
            "verify": self.verify,
            # Idle connections are dropped before uvicorn's 5 s keep-alive ends them, so
            # a request is never sent on a socket the server is closing (a lost join).
            "limits": _http.Limits(
                max_connections=1000, max_keepalive_connections=100, keepalive_expiry=3.0
            ),
            "trust_env": False,
        }

    @property
    def sync(self) -> _http.Client:
        if self._sync is None:
            with self._lock:
                if self._sync is None:
                    self._sync = _http.Client(
                        transport=self._transport, cookies=self.cookies, **self._client_kwargs()
                    )
        return self._sync

    @property
    def aclient(self) -> _http.AsyncClient:
        if self._async is None:
            self._async = _http.AsyncClient(
                transport=self._async_transport, cookies=self.cookies, **self._client_kwargs()
            )
        return self._async

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()
            self._sync = None
        if self._h1 is not None:
            self._h1.close()
            self._h1 = None

    def _hot(self, url: str, headers: Mapping[str, str]) -> H1Pool | None:
        """The socket pool for the sync client's joins and streams, unless a
        custom transport is in use or the request needs httpx's encoding."""
        if self._transport is not None:
            return None
        pool = self._h1
        if pool is None:
            with self._lock:
                if self._h1 is None:
                    self._h1 = H1Pool(self.base_url, verify=self.verify)
                pool = self._h1
        return pool if pool.accepts(url, headers) else None

    def _ahot(self, url: str, headers: Mapping[str, str]) -> AsyncH1Pool | None:
        """The asyncio pool for the async client's joins and streams (see _hot)."""
        if self._async_transport is not None:
            return None
        if self._ah1 is None:
            self._ah1 = AsyncH1Pool(self.base_url, verify=self.verify)
        return self._ah1 if self._ah1.accepts(url, headers) else None

    @staticmethod
    def _add_cookies(
        client: _http.Client | _http.AsyncClient | None, method: str, url: str,
        headers: dict[str, str],
    ) -> None:
        """Send a client's cookies (a login's) on a request that bypasses it."""
        if client is None or not client.cookies.jar:
            return
        request = _http.Request(method, url, headers=headers)
        client.cookies.set_cookie_header(request)
        cookie = request.headers.get("cookie")
        if cookie:
            headers["cookie"] = cookie

    @staticmethod
    def _keep_cookies(client: _http.Client | _http.AsyncClient, response: _http.Response) -> None:
        if "set-cookie" in response.headers:
            client.cookies.extract_cookies(response)

    def open_stream(self, url: str) -> ContextManager[_http.Response]:
        """GET the queue's event stream (sync), with the stream's timeouts."""
        return self.stream_get(url, self.stream_http_timeout)

    def stream_get(
        self, url: str, timeout: _http.Timeout, headers: dict[str, str] | None = None
    ) -> ContextManager[_http.Response]:
        """GET a URL of the app with a streamed body, through the sync hot path when it
        can take the request (the event stream, and file downloads, which cost half
        the CPU there). ``headers`` replace the app's usual ones; a Cookie header in
        them replaces the client's cookies."""
        headers = self.headers_for(url) if headers is None else headers
        if "cookie" not in headers:
            self._add_cookies(self._sync, "GET", url, headers)
        pool = self._hot(url, headers)
        if pool is None:
            return self.sync.stream("GET", url, headers=headers, timeout=timeout)
        response = pool.stream("GET", url, headers, timeout)
        self._keep_cookies(self.sync, response)
        return closing(response)

    async def aopen_stream(self, url: str) -> AsyncContextManager[_http.Response]:
        """GET the queue's event stream (async), with the stream's timeouts."""
        return await self.astream_get(url, self.stream_http_timeout)

    async def astream_get(
        self, url: str, timeout: _http.Timeout
    ) -> AsyncContextManager[_http.Response]:
        """GET a URL of the app with a streamed body, through the async hot path when
        it can take the request (the event stream, and file downloads, whose 64 KiB
        reads cost less there than through anyio)."""
        headers = self.headers_for(url)
        self._add_cookies(self._async, "GET", url, headers)
        pool = self._ahot(url, headers)
        if pool is None:
            return self.aclient.stream("GET", url, headers=headers, timeout=timeout)
        response = await pool.stream("GET", url, headers, timeout)
        self._keep_cookies(self.aclient, response)
        return aclosing(response)

    def feed_stream(self, url: str, feed: Feed) -> Callable[[], None] | None:
        """Open the queue's event stream with its answer handled by ``feed`` in the
        event loop's read callbacks (``AsyncH1Pool.feed``): what stops it, or None,
        with nothing sent, when the async hot path has no idle connection for it."""
        headers = self.headers_for(url)
        self._add_cookies(self._async, "GET", url, headers)
        pool = self._ahot(url, headers)
        if pool is None:
            return None
        piped = pool.feed(url, headers, self.stream_http_timeout.read, feed)
        return None if piped is None else piped.close

    def keep_cookies(self, response: _http.Response) -> None:
        """Take the cookies an answer of the async hot path sets."""
        self._keep_cookies(self.aclient, response)

    async def aclose(self) -> None:
        self.close()  # the sync client and pool of threaded downloads
        if self._async is not None:
            client, self._async = self._async, None
            try:
                await client.aclose()
            except RuntimeError as exc:
                if "closed" not in str(exc):
                    raise  # else its connections belong to an event loop that has ended
        if self._ah1 is not None:
            await self._ah1.aclose()
            self._ah1 = None

    # -- connecting ------------------------------------------------------------------

    def ensure_ready(self) -> ServerInfo:
        """Log in and read /config once, unless the SDK baked the server info in."""
        if self._logged_in and self.server is not None:
            return self.server
        with self._lock:
            if not self._logged_in:
                self._login_sync()
            if self.server is None:
                config = self.request_json("GET", self.url("config", prefixed=False), "reading /config")
                self.server = ServerInfo.from_config(_require_mapping(config, "/config"))
        return self.server

    async def aensure_ready(self) -> ServerInfo:
        if self._logged_in and self.server is not None:
            return self.server
        if self._async_lock is None:
            self._async_lock = asyncio.Lock()
        async with self._async_lock:
            if not self._logged_in:
                await self._login_async()
            if self.server is None:
                config = await self.arequest_json(
                    "GET", self.url("config", prefixed=False), "reading /config"
                )
                self.server = ServerInfo.from_config(_require_mapping(config, "/config"))
        return self.server

    def _login_form(self) -> tuple[str, dict[str, str]]:
        assert self._auth is not None
        user, password = self._auth
        return self.url("login", prefixed=False), {"username": user, "password": password}

    def _check_login(self, response: _http.Response) -> None:
        if response.status_code in (400, 401, 403):
            raise AuthenticationError(
                "login failed: the app rejected the username or password",
                status_code=response.status_code,
            )
        if response.status_code in (301, 302, 303, 307, 308):
            return  # the app has no login: it redirects to its root
        if response.status_code >= 400:
            raise status_error(response, "logging in")
        self._logged_in = True

    def _login_sync(self) -> None:
        url, form = self._login_form()
        response = self._send_sync("POST", url, "logging in", data=form, retry=True)
        self._check_login(response)
        self._logged_in = True

    async def _login_async(self) -> None:
        url, form = self._login_form()
        response = await self._send_async("POST", url, "logging in", data=form, retry=True)
        self._check_login(response)
        self._logged_in = True

    # -- requests --------------------------------------------------------------------

    def _send_sync(
        self, method: str, url: str, what: str, *, retry: bool = False,
        content_type: str | None = None, retry_status: frozenset[int] = RETRY_STATUS,
        hot: bool = False, **kwargs: Any,
    ) -> _http.Response:
        """One request with the connection's retry policy; ``hot`` requests (joins,
        with ``content`` only) go through the socket pool when it can take them."""
        attempt = 0
        headers = self.headers_for(url)
        if content_type:
            headers["content-type"] = content_type
        pool: H1Pool | None = None
        if hot:
            self._add_cookies(self._sync, method, url, headers)
            pool = self._hot(url, headers)
        while True:
            try:
                if pool is not None:
                    response = pool.request(
                        method, url, headers, kwargs.get("content"), self.timeout
                    )
                    self._keep_cookies(self.sync, response)
                else:
                    response = self.sync.request(method, url, headers=headers, **kwargs)
            except _http.TransportError as exc:
                wait = self.retry.after_error(exc, attempt) if retry else None
                if wait is None:
                    raise transport_error(exc, what, url) from None
            else:
                if not (retry and response.status_code in retry_status):
                    return response
                wait = self.retry.after_status(response, attempt, retry_status)
                if wait is None:
                    return response
            time.sleep(wait)
            attempt += 1

    async def _send_async(
        self, method: str, url: str, what: str, *, retry: bool = False,
        content_type: str | None = None, retry_status: frozenset[int] = RETRY_STATUS,
        hot: bool = False, **kwargs: Any,
    ) -> _http.Response:
        """As ``_send_sync``; ``hot`` requests use the asyncio pool."""
        attempt = 0
        headers = self.headers_for(url)
        if content_type:
            headers["content-type"] = content_type
        pool: AsyncH1Pool | None = None
        if hot:
            self._add_cookies(self._async, method, url, headers)
            pool = self._ahot(url, headers)
        while True:
            try:
                if pool is not None:
                    response = await pool.request(
                        method, url, headers, kwargs.get("content"), self.timeout
                    )
                    self._keep_cookies(self.aclient, response)
                else:
                    response = await self.aclient.request(method, url, headers=headers, **kwargs)
            except _http.TransportError as exc:
                wait = self.retry.after_error(exc, attempt) if retry else None
                if wait is None:
                    raise transport_error(exc, what, url) from None
            else:
                if not (retry and response.status_code in retry_status):
                    return response
                wait = self.retry.after_status(response, attempt, retry_status)
                if wait is None:
                    return response
            await asyncio.sleep(wait)
            attempt += 1

    def request_json(self, method: str, url: str, what: str, **kwargs: Any) -> Any:
        response = self._send_sync(method, url, what, retry=True, **kwargs)
        return _json_or_raise(response, what)

    async def arequest_json(self, method: str, url: str, what: str, **kwargs: Any) -> Any:
        response = await self._send_async(method, url, what, retry=True, **kwargs)
        return _json_or_raise(response, what)

    # -- queue -----------------------------------------------------------------------

    def join_body(self, fn_index: int, data: Sequence[Any], session_hash: str) -> dict[str, Any]:
        return {
            "data": list(data), "fn_index": fn_index, "session_hash": session_hash,
            "event_data": None, "trigger_id": None,
        }

    def join(self, fn_index: int, data: Sequence[Any], session_hash: str) -> str:
        url = self.url("queue/join")
        with self._join_slots:
            response = self._send_sync(
                "POST", url, "joining the queue", retry=True, content_type=JSON,
                retry_status=JOIN_RETRY_STATUS, hot=True,
                content=_dumps(self.join_body(fn_index, data, session_hash)),
            )
        return _event_id(response)

    def _async_join_slots(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._ajoin_slots is None or self._ajoin_slots[0] is not loop:
            self._ajoin_slots = (loop, asyncio.Semaphore(MAX_CONCURRENT_JOINS))
        return self._ajoin_slots[1]

    def download_slots(self) -> asyncio.Semaphore:
        """Threaded async downloads allowed to run at once on this event loop."""
        loop = asyncio.get_running_loop()
        if self._download_slots is None or self._download_slots[0] is not loop:
            self._download_slots = (loop, asyncio.Semaphore(DOWNLOAD_THREADS))
        return self._download_slots[1]

    async def ajoin(self, fn_index: int, data: Sequence[Any], session_hash: str) -> str:
        url = self.url("queue/join")
        async with self._async_join_slots():
            response = await self._send_async(
                "POST", url, "joining the queue", retry=True, content_type=JSON,
                retry_status=JOIN_RETRY_STATUS, hot=True,
                content=_dumps(self.join_body(fn_index, data, session_hash)),
            )
        return _event_id(response)

    def cancel_body(self, fn_index: int, event_id: str, session_hash: str) -> dict[str, Any]:
        return {"session_hash": session_hash, "fn_index": fn_index, "event_id": event_id}

    def cancel(self, fn_index: int, event_id: str, session_hash: str) -> bool:
        """Ask the server to cancel; False when it has no /cancel route (< 4.31)."""
        response = self._send_sync(
            "POST", self.url("cancel"), "cancelling", retry=True, content_type=JSON,
            content=_dumps(self.cancel_body(fn_index, event_id, session_hash)),
        )
        if response.status_code in (404, 405):
            return False
        if response.status_code >= 400:
            raise status_error(response, "cancelling")
        return True

    async def acancel(self, fn_index: int, event_id: str, session_hash: str) -> bool:
        response = await self._send_async(
            "POST", self.url("cancel"), "cancelling", retry=True, content_type=JSON,
            content=_dumps(self.cancel_body(fn_index, event_id, session_hash)),
        )
        if response.status_code in (404, 405):
            return False
        if response.status_code >= 400:
            raise status_error(response, "cancelling")
        return True

    def stream_url(self, session_hash: str) -> str:
        return self.url("queue/data") + "?session_hash=" + quote(session_hash)


def check_limits(max_download_size: int | None, stream_timeout: float | None) -> None:
    """Validate the two client limits (``ValueError`` naming the option)."""
    _check_limit("max_download_size", max_download_size, integer=True)
    _check_limit("stream_timeout", stream_timeout, integer=False)


def _check_limit(option: str, value: float | None, *, integer: bool) -> None:
    """Reject a limit that is not a positive number (None means no limit), naming the
    option: a bad value would otherwise surface much later, inside a call."""
    if value is None:
        return
    kinds = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        what = "an int" if integer else "a number"
        raise ValueError(f"{option} must be {what} or None, not {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{option} must be positive (or None for no limit), not {value!r}")


def _is_hf(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in _HF_HOSTS or host.endswith(_HF_SUFFIXES)


def transport_error(exc: Exception, what: str, url: str) -> APITimeoutError | APIConnectionError:
    """The runtime's error for a request that got no answer."""
    if isinstance(exc, _http.TimeoutException):
        return APITimeoutError(f"{what}: timed out ({redact_url(url)})")
    return APIConnectionError(f"{what}: cannot reach {redact_url(url)} ({type(exc).__name__})")


def stream_error(exc: Exception, base_url: str) -> APITimeoutError | APIConnectionError:
    """The runtime's error for a queue event stream that went silent or broke."""
    if isinstance(exc, _http.TimeoutException):
        return APITimeoutError(f"no message from {redact_url(base_url)} within the read timeout")
    return APIConnectionError(
        f"the event stream from {redact_url(base_url)} broke ({type(exc).__name__})"
    )


def _dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _json_or_raise(response: _http.Response, what: str) -> Any:
    if response.status_code >= 400:
        raise status_error(response, what)
    if response.status_code >= 300:
        raise APIStatusError(
            f"{what}: unexpected redirect (HTTP {response.status_code})",
            status_code=response.status_code,
        )
    try:
        return response.json()
    except ValueError:
        raise ProtocolError(f"{what}: the answer is not JSON; is this a Gradio app?") from None


def _require_mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProtocolError(f"{what} is not a JSON object; is this a Gradio app?")
    return value


def _event_id(response: _http.Response) -> str:
    if response.status_code >= 400:
        raise status_error(response, "joining the queue")
    try:
        body = response.json()
    except ValueError:
        raise ProtocolError("joining the queue: the answer is not JSON") from None
    event_id = body.get("event_id") if isinstance(body, Mapping) else None
    if not isinstance(event_id, str) or not event_id:
        raise ProtocolError("joining the queue: no event_id in the answer")
    return event_id
