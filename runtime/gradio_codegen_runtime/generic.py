"""``Client``/``AsyncClient``: call any Gradio app by endpoint name, without generating
an SDK. The endpoints are read from the app's ``/config`` and ``/info`` at first use.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .client import BaseAsyncClient, BaseClient
from .endpoint import Endpoint, endpoint_from_spec
from .errors import NotFoundError
from .jobs import AsyncJob, Job

if TYPE_CHECKING:
    from .batch import AsyncMapRun, MapRun

__all__ = ["AsyncClient", "Client"]


class _Discovery:
    """Endpoints of an app read from /config and /info, for the generic clients."""

    def __init__(self) -> None:
        self._endpoints: dict[str, Endpoint[Any]] | None = None
        self._lock = threading.Lock()

    def build(self, config: Mapping[str, Any], info: Mapping[str, Any], host: str) -> None:
        from .spec import build_spec  # schema reading: only the generic clients need it

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
                    config, info = self._conn.read_api()
                    self._discovery.build(config, info, self._conn.base_url)
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
        endpoint = self._endpoint(api_name)
        return self._call(endpoint, endpoint.bind(args, kwargs))

    def submit(self, api_name: str, *args: Any, **kwargs: Any) -> Job[Any]:
        """Start a call in the background."""
        endpoint = self._endpoint(api_name)
        return self._submit(endpoint, endpoint.bind(args, kwargs))

    def map(self, api_name: str, inputs: Iterable[Any], /, **options: Any) -> MapRun[Any]:
        """Run ``api_name`` over ``inputs`` (tuples of positional arguments, dicts of
        keyword arguments, or bare values for one parameter); see ``MapOptions``."""
        return self._map(self._endpoint(api_name), inputs, **options)


class AsyncClient(BaseAsyncClient):
    """Async twin of ``Client``."""

    def __init__(self, src: str | None = None, **kwargs: Any) -> None:
        super().__init__(src, **kwargs)
        self._discovery = _Discovery()

    async def _endpoint(self, api_name: str) -> Endpoint[Any]:
        if self._discovery._endpoints is None:
            config, info = await self._conn.aread_api()
            self._discovery.build(config, info, self._conn.base_url)
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

    async def map(
        self, api_name: str, inputs: Iterable[Any], /, **options: Any
    ) -> AsyncMapRun[Any]:
        """Like ``Client.map``: ``async for outcome in await app.map("/name", inputs)``."""
        return self._map(await self._endpoint(api_name), inputs, **options)
