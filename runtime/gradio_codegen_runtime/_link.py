"""The link to one Gradio app: addresses, credentials, HTTP clients and hot pools.

It knows where the app is (base URL and API prefix), who may see the token (only
Hugging Face hosts and hosts the user allowed), and which HTTP client or hot socket
pool carries a request; it contacts no host but the app's. ``Connection``
(``_connection``) adds the requests to it, written once in ``_requests_async``.
"""

from __future__ import annotations

import asyncio
import base64
import math
import os
import threading
from contextlib import aclosing, closing
from typing import (
    Any, AsyncContextManager, Callable, ContextManager, Iterable, Mapping, Sequence,
)
from urllib.parse import quote, unquote, urlsplit

from . import _http, _zerogpu
from ._answers import ServerInfo, redact_url
from ._h1 import H1Pool
from ._h1_async import AsyncH1Pool, Feed
from ._netenv import NetOptions, Verify
from ._signing import StreamSigner
from ._httperrors import RetryPolicy

__all__ = [
    "MAX_DOWNLOAD_SIZE", "STREAM_READ_TIMEOUT", "USER_AGENT", "Link", "check_limits",
]

USER_AGENT = "gradio-codegen"
_HF_SUFFIXES = (".hf.space", ".huggingface.co")
_HF_HOSTS = ("huggingface.co", "hf.co")
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


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


class Link:
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
        verify: Verify = True,
        oauth_token: str | None = None,
        proxy: str | None = None,
        trust_env: bool = True,
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
        #: Sent in the join body of endpoints that take a ``gr.OAuthToken`` (only those).
        self.oauth_token = oauth_token
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
        #: Proxy and certificates: from the options and (unless trust_env=False) the
        #: environment. A proxied app is reached through httpx only, not the pools.
        self.net = NetOptions.resolve(proxy=proxy, trust_env=trust_env, verify=verify)
        self.verify = self.net.verify
        self._proxy = self.net.proxy_for(self.base_url)
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
        #: Signs event streams of a Space (set by the client for Space ids with a token).
        self.signer: StreamSigner | None = None
        self.cookies = _http.Cookies()
        self._join_semaphore = threading.BoundedSemaphore(MAX_CONCURRENT_JOINS)
        self._ajoin_semaphore: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self._download_slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({redact_url(self.base_url)!r})"

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
        if _zerogpu.in_gradio_app() and _zerogpu.HEADER not in headers and self.token_allowed(url):
            ip_token = _zerogpu.current_ip_token()  # the end user's ZeroGPU quota
            if ip_token:
                headers[_zerogpu.HEADER] = ip_token
        return headers

    # -- clients ---------------------------------------------------------------------

    def _client_kwargs(self, transport: Any) -> dict[str, Any]:
        return {
            "transport": transport,
            "timeout": self.timeout,
            "follow_redirects": False,
            "verify": self.verify,
            # A custom transport sees every request; httpx would route proxied ones past it.
            "proxy": self._proxy if transport is None else None,
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
                        cookies=self.cookies, **self._client_kwargs(self._transport)
                    )
        return self._sync

    @property
    def aclient(self) -> _http.AsyncClient:
        if self._async is None:
            self._async = _http.AsyncClient(
                cookies=self.cookies, **self._client_kwargs(self._async_transport)
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
        custom transport or a proxy is in use or the request needs httpx's encoding."""
        if self._transport is not None or self._proxy is not None:
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
        if self._async_transport is not None or self._proxy is not None:
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

    # -- queue -----------------------------------------------------------------------

    def join_body(
        self, fn_index: int, data: Sequence[Any], session_hash: str, oauth: bool = False
    ) -> dict[str, Any]:
        body = {
            "data": list(data), "fn_index": fn_index, "session_hash": session_hash,
            "event_data": None, "trigger_id": None,
        }
        if oauth and self.oauth_token:
            body["oauth_token"] = self.oauth_token
        return body

    def _sign_due(self) -> bool:
        return self.signer is not None and self.signer.due()

    def _refresh_signer(self) -> None:
        """Fetch the stream signature if one is due (blocking)."""
        if self.signer is not None:
            self.signer.refresh()

    async def _arefresh_signer(self) -> None:
        """Fetch the stream signature if one is due, off the event loop."""
        if self.signer is not None and self.signer.due():
            await asyncio.to_thread(self.signer.refresh)

    def _ready_lock(self) -> threading.RLock:
        return self._lock

    def _aready_lock(self) -> asyncio.Lock:
        if self._async_lock is None:
            self._async_lock = asyncio.Lock()
        return self._async_lock

    def _join_slots(self) -> threading.BoundedSemaphore:
        return self._join_semaphore

    def _ajoin_slots(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._ajoin_semaphore is None or self._ajoin_semaphore[0] is not loop:
            self._ajoin_semaphore = (loop, asyncio.Semaphore(MAX_CONCURRENT_JOINS))
        return self._ajoin_semaphore[1]

    def download_slots(self) -> asyncio.Semaphore:
        """Threaded async downloads allowed to run at once on this event loop."""
        loop = asyncio.get_running_loop()
        if self._download_slots is None or self._download_slots[0] is not loop:
            self._download_slots = (loop, asyncio.Semaphore(DOWNLOAD_THREADS))
        return self._download_slots[1]

    def cancel_body(self, fn_index: int, event_id: str, session_hash: str) -> dict[str, Any]:
        return {"session_hash": session_hash, "fn_index": fn_index, "event_id": event_id}

    def stream_url(self, session_hash: str) -> str:
        sign = self.signer.query() if self.signer is not None else ""
        return self.url("queue/data") + "?session_hash=" + quote(session_hash) + sign


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
