"""Clients: ``BaseClient``/``BaseAsyncClient`` under every generated SDK, and the
generic ``Client``/``AsyncClient`` that call any endpoint by name.

Constructing a client sends nothing: the first call logs in (when ``auth`` is given)
and reads ``/config`` unless the generated SDK baked the server's details in.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, ClassVar, Iterable, Mapping, Sequence, TypeVar

from . import _http
from ._async_session import AsyncSession
from ._connection import Connection, RetryPolicy, ServerInfo, redact_url
from ._session import SyncSession
from .endpoint import Endpoint, endpoint_from_spec
from .errors import NotFoundError
from .jobs import AsyncJob, Job

__all__ = ["AsyncClient", "BaseAsyncClient", "BaseClient", "Client"]

T = TypeVar("T")


def _saved_token() -> str | None:
    """HF_TOKEN, else the token saved by ``hf auth login`` (read without importing
    huggingface_hub, which is slow to import)."""
    token = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")
    if token:
        return token
    path = os.environ.get("HF_TOKEN_PATH")
    if not path:
        home = os.environ.get("HF_HOME") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "huggingface"
        )
        path = os.path.join(home, "token")
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    return text or None


def _is_url(src: str) -> bool:
    return src.startswith(("http://", "https://"))


class _Base:
    """What the sync and async clients share: where the app is and how to reach it."""

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
        verify: bool = True,
        transport: Any = None,
    ) -> None:
        given = src
        src = src or self._DEFAULT_SRC
        if not src:
            raise ValueError("give the app's URL or Space id")
        server = None
        token_hosts = list(allow_token_hosts)
        space_id: str | None = None
        if _is_url(src):
            base_url = src
            if given is None or given.rstrip("/") == (self._DEFAULT_SRC or "").rstrip("/"):
                server = self._SERVER
                space_id = self._SPACE_ID
        else:
            from .hub import resolve_space

            space_id = src
            base_url = resolve_space(src, token=token if token is not None else _saved_token())
            token_hosts.append(base_url)
        if token is None:
            token = _saved_token()
        self.space_id = space_id
        self._conn = Connection(
            base_url,
            token=token,
            headers=headers,
            auth=auth,
            timeout=timeout,
            retry=RetryPolicy(max_retries=max_retries),
            server=server,
            token_hosts=token_hosts,
            verify=verify,
            transport=transport,
            async_transport=transport,
        )

    @property
    def url(self) -> str:
        """The app's base URL."""
        return self._conn.base_url

    def __repr__(self) -> str:
        return f"{type(self).__name__}({redact_url(self._conn.base_url)!r})"

    def _fn_index(self, endpoint: Endpoint[Any]) -> Endpoint[Any]:
        """Re-address an endpoint when the client points at another deployment."""
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
        self._session = SyncSession(self._conn)

    def _submit(self, endpoint: Endpoint[T], values: Sequence[Any]) -> Job[T]:
        self._conn.ensure_ready()
        return self._session.submit(self._fn_index(endpoint), values)

    def _call(self, endpoint: Endpoint[T], values: Sequence[Any]) -> T:
        return self._submit(endpoint, values).result()

    def reset_session(self) -> None:
        """Use a new server session: ``gr.State`` starts fresh for later calls."""
        self._session.reset()

    def close(self) -> None:
        """Close connections; jobs still pending end as cancelled."""
        self._session.close()
        self._conn.close()

    def __enter__(self: Any) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class BaseAsyncClient(_Base):
    """Async client core: one ``AsyncClient`` and one queue session."""

    def __init__(self, src: str | None = None, **kwargs: Any) -> None:
        super().__init__(src, **kwargs)
        self._session = AsyncSession(self._conn)

    async def _submit(self, endpoint: Endpoint[T], values: Sequence[Any]) -> AsyncJob[T]:
        await self._conn.aensure_ready()
        return await self._session.submit(self._fn_index(endpoint), values)

    async def _call(self, endpoint: Endpoint[T], values: Sequence[Any]) -> T:
        job = await self._submit(endpoint, values)
        return await job.result()

    def reset_session(self) -> None:
        self._session.reset()

    async def aclose(self) -> None:
        await self._session.close()
        await self._conn.aclose()

    async def __aenter__(self: Any) -> Any:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class _Discovery:
    """Endpoints of an app read from /config and /info, for the generic clients."""

    def __init__(self) -> None:
        self._endpoints: dict[str, Endpoint[Any]] | None = None
        self._lock = threading.Lock()

    def build(self, config: Mapping[str, Any], info: Mapping[str, Any], host: str) -> None:
        from ..spec import build_spec

        spec = build_spec(config, info, host=host)
        self._endpoints = {e.api_name: endpoint_from_spec(e) for e in spec.endpoints}

    def get(self, api_name: str) -> Endpoint[Any]:
        assert self._endpoints is not None
        name = api_name.lstrip("/")
        if name not in self._endpoints:
            known = ", ".join("/" + n for n in sorted(self._endpoints)) or "none"
            raise NotFoundError(
                f"no endpoint {api_name!r}; this app has: {known}", status_code=404
            )
        return self._endpoints[name]

    def names(self) -> list[str]:
        assert self._endpoints is not None
        return sorted("/" + n for n in self._endpoints)


class Client(BaseClient):
    """Call any Gradio app by endpoint name, without generating an SDK.

    ``Client(url).predict("/name", *args, **kwargs)``; ``submit`` returns a ``Job``.
    """

    def __init__(self, src: str | None = None, **kwargs: Any) -> None:
        super().__init__(src, **kwargs)
        self._discovery = _Discovery()

    def _endpoint(self, api_name: str) -> Endpoint[Any]:
        if self._discovery._endpoints is None:
            with self._discovery._lock:
                if self._discovery._endpoints is None:
                    server = self._conn.ensure_ready()
                    if server.config is None:
                        config = self._conn.request_json(
                            "GET", self._conn.url("config", prefixed=False), "reading /config"
                        )
                        server = ServerInfo.from_config(config)
                        self._conn.server = server
                    info = self._conn.request_json("GET", self._conn.url("info"), "reading /info")
                    assert server.config is not None
                    self._discovery.build(server.config, info, self._conn.base_url)
        return self._discovery.get(api_name)

    def endpoints(self) -> list[str]:
        """Names of the app's public endpoints."""
        if self._discovery._endpoints is None:
            try:
                self._endpoint("")
            except NotFoundError:
                pass
        return self._discovery.names()

    def predict(self, api_name: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``api_name`` and wait for its result."""
        return self.submit(api_name, *args, **kwargs).result()

    def submit(self, api_name: str, *args: Any, **kwargs: Any) -> Job[Any]:
        """Start a call in the background."""
        endpoint = self._endpoint(api_name)
        return self._submit(endpoint, endpoint.bind(args, kwargs))


class AsyncClient(BaseAsyncClient):
    """Async twin of ``Client``."""

    def __init__(self, src: str | None = None, **kwargs: Any) -> None:
        super().__init__(src, **kwargs)
        self._discovery = _Discovery()

    async def _endpoint(self, api_name: str) -> Endpoint[Any]:
        if self._discovery._endpoints is None:
            server = await self._conn.aensure_ready()
            if server.config is None:
                config = await self._conn.arequest_json(
                    "GET", self._conn.url("config", prefixed=False), "reading /config"
                )
                server = ServerInfo.from_config(config)
                self._conn.server = server
            info = await self._conn.arequest_json("GET", self._conn.url("info"), "reading /info")
            assert server.config is not None
            self._discovery.build(server.config, info, self._conn.base_url)
        return self._discovery.get(api_name)

    async def endpoints(self) -> list[str]:
        if self._discovery._endpoints is None:
            try:
                await self._endpoint("")
            except NotFoundError:
                pass
        return self._discovery.names()

    async def predict(self, api_name: str, *args: Any, **kwargs: Any) -> Any:
        job = await self.submit(api_name, *args, **kwargs)
        return await job.result()

    async def submit(self, api_name: str, *args: Any, **kwargs: Any) -> AsyncJob[Any]:
        endpoint = await self._endpoint(api_name)
        return await self._submit(endpoint, endpoint.bind(args, kwargs))
