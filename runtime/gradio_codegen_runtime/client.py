"""``BaseClient``/``BaseAsyncClient``: what every generated SDK's clients stand on
(the generic clients that call any endpoint by name are in ``generic``).

Constructing a client sends nothing: the first call logs in (when ``auth`` is given)
and reads ``/config`` unless the generated SDK baked the server's details in.
"""

from __future__ import annotations

import atexit
import os
import weakref
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Mapping, Sequence, TypeVar

from . import _http
from ._async_session import AsyncSession
from ._connection import (
    MAX_DOWNLOAD_SIZE,
    STREAM_READ_TIMEOUT,
    Connection,
    RetryPolicy,
    ServerInfo,
    check_limits,
    redact_url,
)
from ._netenv import NetOptions, Verify
from ._old_async_session import AsyncOldSession
from ._old_session import OldSession
from ._old_wire import PER_JOB_PROTOCOLS
from ._session import SyncSession
from .duplicate import AsyncClientFactory, ClientFactory, duplicate_client
from .endpoint import Endpoint
from .errors import AuthenticationError, NotFoundError
from .hub import saved_token
from .jobs import AsyncJob, Job

if TYPE_CHECKING:
    from .batch import AsyncMapRun, MapRun
    from .hub import SpaceStatusCallback

__all__ = ["BaseAsyncClient", "BaseClient"]

T = TypeVar("T")
_AC = TypeVar("_AC", bound="BaseAsyncClient")
_B = TypeVar("_B", bound="_Base")


def _is_url(src: str) -> bool:
    return src.startswith(("http://", "https://"))


class _Base:
    """What the sync and async clients share: where the app is and how to reach it.

    A Space id (``owner/name``) is resolved through the Hub at construction, waiting up
    to ``wake_timeout`` seconds while the Space sleeps, builds or starts and reporting
    each stage to ``space_status``; a generated SDK's baked host is used without asking
    the Hub unless one of those two is given.

    ``max_download_size`` caps each file download in bytes (``ProtocolError`` beyond it;
    None: no cap), so an endless file cannot fill the disk. ``stream_timeout`` is how
    many seconds the queue's event stream may stay silent before pending calls fail
    with ``APITimeoutError`` (None: wait forever); Gradio sends a heartbeat every 15 s,
    so keep it well above that. Both raise ``ValueError`` unless positive.

    Requests go through ``proxy`` (a URL, credentials allowed) or, without it, the
    proxy the environment names for the app's host (``HTTPS_PROXY``/``HTTP_PROXY``/
    ``ALL_PROXY`` unless ``NO_PROXY`` matches). ``verify`` is True (certifi, or the
    bundle in ``SSL_CERT_FILE``/``SSL_CERT_DIR``), False, a CA bundle path, ``"system"``
    (the OS trust store; needs the ``truststore`` package) or an ``ssl.SSLContext``.
    ``trust_env=False`` ignores those environment variables (huggingface_hub's own Hub
    calls still follow its settings).

    Called inside a Gradio event handler, a client passes the handled request's
    ``x-ip-token`` on to hosts it trusts with the Hugging Face token (Spaces, and
    ``allow_token_hosts``), so a ZeroGPU Space charges the end user's quota;
    ``ip_token`` sends a given one instead.

    ``oauth_token`` (a Hugging Face token) is given to the endpoints whose function
    takes a ``gr.OAuthToken`` (Gradio 6.21+), and to no other; an endpoint that
    requires one refuses to start without it (``AuthenticationError``).
    """

    #: Baked in by generated SDKs.
    _DEFAULT_SRC: ClassVar[str | None] = None
    _SPACE_ID: ClassVar[str | None] = None
    _SERVER: ClassVar[ServerInfo | None] = None

    def __init__(
        self,
        src: str | None = None,
        *,
        token: str | None = None,
        auth: tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | _http.Timeout | None = None,
        max_retries: int = 2,
        allow_token_hosts: Iterable[str] = (),
        verify: Verify = True,
        proxy: str | None = None,
        trust_env: bool = True,
        ip_token: str | None = None,
        oauth_token: str | None = None,
        max_download_size: int | None = MAX_DOWNLOAD_SIZE,
        stream_timeout: float | None = STREAM_READ_TIMEOUT,
        transport: Any = None,
        space_status: SpaceStatusCallback | None = None,
        wake_timeout: float | None = None,
    ) -> None:
        check_limits(max_download_size, stream_timeout)  # before any Hub request
        net = NetOptions.resolve(proxy=proxy, trust_env=trust_env, verify=verify)
        if ip_token is not None:
            if not isinstance(ip_token, str) or not ip_token:
                raise ValueError("ip_token must be a non-empty string (an x-ip-token header)")
            headers = {**(headers or {}), "x-ip-token": ip_token}
        given = src
        src = src or self._DEFAULT_SRC
        if not src:
            raise ValueError("give the app's URL or Space id")
        if token is None:
            token = saved_token()
        server = None
        token_hosts = list(allow_token_hosts)
        space_id: str | None = None
        if _is_url(src):
            base_url = src
            if given is None or given.rstrip("/") == (self._DEFAULT_SRC or "").rstrip("/"):
                # The baked host: no network unless asked to check on the Space.
                server = self._SERVER
                space_id = self._SPACE_ID
                if space_id:
                    from .hub import baked_host_gets_token, wait_for_space

                    if baked_host_gets_token(base_url):
                        token_hosts.append(base_url)
                    if space_status is not None or wake_timeout is not None:
                        wait_for_space(
                            space_id, token=token, on_status=space_status, timeout=wake_timeout
                        )
        else:
            from .hub import resolve_space

            space_id = src
            base_url = resolve_space(
                src, token=token, on_status=space_status, wake_timeout=wake_timeout
            )
            token_hosts.append(base_url)
            if base_url.rstrip("/") == (self._DEFAULT_SRC or "").rstrip("/"):
                server = self._SERVER
        self.space_id = space_id
        #: What pickling and replicas rebuild this client from (``_state.py``).
        self._given = (given, dict(
            token=token, auth=auth, headers=headers, timeout=timeout,
            max_retries=max_retries, allow_token_hosts=tuple(allow_token_hosts),
            verify=verify, proxy=proxy, trust_env=trust_env, oauth_token=oauth_token,
            max_download_size=max_download_size, stream_timeout=stream_timeout,
            transport=transport,
        ))
        self._conn_args: dict[str, Any] = dict(
            token=token,
            headers=headers,
            auth=auth,
            timeout=timeout,
            retry=RetryPolicy(max_retries=max_retries),
            token_hosts=token_hosts,
            verify=net.verify,
            oauth_token=oauth_token,
            proxy=net.proxy,
            trust_env=net.trust_env,
            max_download_size=max_download_size,
            stream_timeout=stream_timeout,
            transport=transport,
            async_transport=transport,
        )
        self._conn = self._connect(base_url, server)

    def _connect(self, base_url: str, server: ServerInfo | None) -> Connection:
        """The connection (made again in a forked child: ``_renew``)."""
        conn = Connection(base_url, server=server, **self._conn_args)
        token = self._conn_args["token"]
        if self.space_id and token:
            from ._signing import StreamSigner

            conn.signer = StreamSigner(self.space_id, token)  # __sign on its event streams
        return conn

    @property
    def url(self) -> str:
        """The app's base URL."""
        return self._conn.base_url

    def __repr__(self) -> str:
        return f"{type(self).__name__}({redact_url(self._conn.base_url)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        from ._state import reduce_client

        return reduce_client(self, _Base)

    def _replica(self: _B, src: str) -> _B:
        """A client of the same kind and options for another deployment of the app."""
        from ._state import replica

        return replica(self, src, _Base)

    def _open_sessions(self) -> None:
        """Start the queue sessions on ``self._conn`` (sync or async ones)."""
        raise NotImplementedError

    def _renew(self) -> None:
        """Fresh connections for a forked child (the parent's sockets stay the parent's)."""
        self._conn = self._connect(self._conn.base_url, self._conn.server)
        self._open_sessions()

    def _fn_index(self, endpoint: Endpoint[Any]) -> Endpoint[Any]:
        """Re-address an endpoint when the client points at another deployment; refuse,
        before anything is sent, an endpoint that requires an OAuth token we lack."""
        if endpoint.oauth_token == "required" and not self._conn.oauth_token:
            raise AuthenticationError(
                f"/{endpoint.api_name} acts on your behalf and requires your Hugging Face "
                "token: pass oauth_token=... to the client",
                status_code=401,
            )
        server = self._conn.server
        if server is None or server is self._SERVER or not server.config:
            return endpoint
        for index, dep in enumerate(server.config.get("dependencies") or []):
            if isinstance(dep, Mapping) and dep.get("api_name") == endpoint.api_name:
                fn_index = dep.get("id", index)
                if fn_index != endpoint.fn_index and isinstance(fn_index, int):
                    from dataclasses import replace

                    return replace(endpoint, fn_index=fn_index)
                return endpoint
        raise NotFoundError(
            f"the app at {redact_url(self._conn.base_url)} has no endpoint /{endpoint.api_name}",
            status_code=404,
        )


class BaseClient(_Base):
    """Sync client core: one pooled HTTP client and one queue session."""

    def __init__(self, src: str | None = None, **kwargs: Any) -> None:
        super().__init__(src, **kwargs)
        self._open_sessions()
        _OPEN.add(self)

    def _open_sessions(self) -> None:
        self._session = SyncSession(self._conn)
        #: Gradio 3.x and 4.0-4.8 apps: one stream per job.
        self._old_session = OldSession(self._conn)

    def _queue(self) -> SyncSession | OldSession:
        info = self._conn.ensure_ready()
        return self._old_session if info.protocol in PER_JOB_PROTOCOLS else self._session

    def _submit(self, endpoint: Endpoint[T], values: Sequence[Any]) -> Job[T]:
        queue = self._queue()
        if endpoint.stream is not None:
            from ._stream_feed import feed

            return feed(self._session, self._fn_index(endpoint), values, background=True)
        return queue.submit(self._fn_index(endpoint), values)

    def _call(self, endpoint: Endpoint[T], values: Sequence[Any]) -> T:
        queue = self._queue()
        if endpoint.stream is not None:
            from ._stream_feed import feed

            job = feed(self._session, self._fn_index(endpoint), values, background=False)
            streamed: T = job.result()
            return streamed
        result: T = queue.call(self._fn_index(endpoint), values)
        return result

    def _map(self, endpoint: Endpoint[T], inputs: Iterable[Any], /, **options: Any) -> MapRun[T]:
        from .batch import start_map

        return start_map(self, endpoint, inputs, options)  # type: ignore[arg-type]

    duplicate = ClientFactory(duplicate_client)

    def reset_session(self) -> None:
        """Use a new server session: ``gr.State`` starts fresh for later calls."""
        self._session.reset()
        self._old_session.reset()

    def close(self) -> None:
        """Close connections; jobs still pending end as cancelled."""
        _OPEN.discard(self)
        self._session.close()
        self._old_session.close()
        self._conn.close()

    def __enter__(self: Any) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: Sync clients not closed yet. Their kept-alive sockets are closed at interpreter exit:
#: nobody closes the shared client behind an SDK's module-level functions.
_OPEN: weakref.WeakSet[BaseClient] = weakref.WeakSet()


@atexit.register
def _close_open_clients() -> None:
    for client in list(_OPEN):
        try:
            client.close()
        except Exception:  # at exit, as in __del__: nothing left to report to
            pass


#: Async clients not closed yet (renewed in a forked child, like the sync ones).
_OPEN_ASYNC: weakref.WeakSet[BaseAsyncClient] = weakref.WeakSet()


def _renew_after_fork() -> None:
    """In a forked child, every client gets connections of its own: sharing the
    parent's sockets would mix two processes' requests on one connection."""
    for client in list(_OPEN):
        client._renew()
    for aclient in list(_OPEN_ASYNC):
        aclient._renew()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_renew_after_fork)


class BaseAsyncClient(_Base):
    """Async client core: one ``AsyncClient`` and one queue session."""

    def __init__(self, src: str | None = None, **kwargs: Any) -> None:
        super().__init__(src, **kwargs)
        self._open_sessions()
        _OPEN_ASYNC.add(self)

    def _open_sessions(self) -> None:
        self._session = AsyncSession(self._conn)
        self._old_session = AsyncOldSession(self._conn)

    async def _submit(self, endpoint: Endpoint[T], values: Sequence[Any]) -> AsyncJob[T]:
        info = await self._conn.aensure_ready()
        if endpoint.stream is not None:
            from ._stream_feed import afeed

            return await afeed(self._session, self._fn_index(endpoint), values, background=True)
        queue = self._old_session if info.protocol in PER_JOB_PROTOCOLS else self._session
        return await queue.submit(self._fn_index(endpoint), values)

    async def _call(self, endpoint: Endpoint[T], values: Sequence[Any]) -> T:
        if endpoint.stream is not None:
            await self._conn.aensure_ready()
            from ._stream_feed import afeed

            ajob = await afeed(self._session, self._fn_index(endpoint), values, background=False)
            streamed: T = await ajob.result()
            return streamed
        job = await self._submit(endpoint, values)
        return await job.result()

    def _map(
        self, endpoint: Endpoint[T], inputs: Iterable[Any], /, **options: Any
    ) -> AsyncMapRun[T]:
        from .batch import astart_map

        return astart_map(self, endpoint, inputs, options)  # type: ignore[arg-type]

    @classmethod
    async def create(cls: type[_AC], src: str | None = None, **options: Any) -> _AC:
        """The client, made in a worker thread: resolving a Space id asks the Hub and
        may wait for the Space to wake (``wake_timeout``), which ``__init__`` would do
        on the event loop. ``options`` are the constructor's."""
        import asyncio

        return await asyncio.to_thread(cls, src, **options)

    duplicate = AsyncClientFactory(
        duplicate_client,
        """Async ``BaseClient.duplicate``: the Hub calls and waiting run in a thread.""",
    )

    def reset_session(self) -> None:
        self._session.reset()
        self._old_session.reset()

    async def aclose(self) -> None:
        _OPEN_ASYNC.discard(self)
        await self._session.close()
        await self._old_session.close()
        await self._conn.aclose()

    async def __aenter__(self: Any) -> Any:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
