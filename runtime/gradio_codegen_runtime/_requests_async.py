"""The connection's requests, async: login, /config, JSON requests, join, cancel and
uploads, reading the API description, each with the retry policy.

This file is the one source of these requests: ``_requests_sync.py`` is generated
from it by ``scripts/unasync.py`` (a test regenerates it and compares byte for byte),
so the sync and async clients cannot drift apart. Write it in the subset that script
turns into sync code: names it maps (``aensure_ready`` -> ``ensure_ready``, ``ajoin``
-> ``join``, ``aclient`` -> ``sync``, ...) and ``await`` / ``async with``, which it
drops. The join goes through the hot socket pool when it can take it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from . import _http
from ._answers import (
    JSON, ServerInfo, dumps, event_id_of, json_or_raise, require_mapping, transport_error,
)
from ._httperrors import JOIN_RETRY_STATUS, RETRY_STATUS, status_error
from ._link import Link
from ._old_info import config_suffices
from ._uploads import opened, upload_paths
from .errors import APIStatusError, AuthenticationError

if TYPE_CHECKING:
    from .files import UploadFile

__all__ = ["AsyncRequests"]


class AsyncRequests(Link):
    """The requests of a ``Connection``, async."""

    async def aensure_ready(self) -> ServerInfo:
        """Log in and read /config once, unless the SDK baked the server info in."""
        if self._logged_in and self.server is not None and not self._sign_due():
            return self.server
        await self._arefresh_signer()
        async with self._aready_lock():
            if not self._logged_in:
                await self._alogin()
            if self.server is None:
                config = await self.arequest_json(
                    "GET", self.url("config", prefixed=False), "reading /config"
                )
                self.server = ServerInfo.from_config(require_mapping(config, "/config"))
        return self.server

    async def _alogin(self) -> None:
        assert self._auth is not None
        user, password = self._auth
        form = {"username": user, "password": password}
        url = self.url("login", prefixed=False)
        response = await self._asend("POST", url, "logging in", data=form, retry=True)
        if response.status_code in (400, 401, 403):
            raise AuthenticationError(
                "login failed: the app rejected the username or password",
                status_code=response.status_code,
            )
        if response.status_code >= 400 and response.status_code not in (301, 302, 303, 307, 308):
            raise status_error(response, "logging in")
        # (a redirect: the app has no login, it sends the client to its root)
        self._logged_in = True

    async def _asend(
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
        pool = None
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

    async def arequest_json(self, method: str, url: str, what: str, **kwargs: Any) -> Any:
        response = await self._asend(method, url, what, retry=True, **kwargs)
        return json_or_raise(response, what)

    async def aread_api(
        self, all_endpoints: bool = False
    ) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
        """The app's ``/config`` and ``/info`` (``all_endpoints``: private ones too), what
        an ``ApiSpec`` is built from. A 3.x app without a usable ``/info`` gives an empty
        one: its ``/config`` says it all."""
        server = await self.aensure_ready()
        if server.config is None:  # the SDK baked the server info in
            config = await self.arequest_json(
                "GET", self.url("config", prefixed=False), "reading /config"
            )
            server = ServerInfo.from_config(require_mapping(config, "/config"))
            self.server = server
        query = "?all_endpoints=true" if all_endpoints else ""
        try:
            info = await self.arequest_json("GET", self.url("info") + query, "reading /info")
        except APIStatusError as exc:
            if not config_suffices(server.protocol, exc.status_code):
                raise
            info = {"named_endpoints": {}}
        assert server.config is not None
        return server.config, info

    async def ajoin(
        self, fn_index: int, data: Sequence[Any], session_hash: str, oauth: bool = False
    ) -> str:
        """Join the queue; the event id the app gave the job (``oauth``: send the
        client's OAuth token, for an endpoint that takes a ``gr.OAuthToken``)."""
        url = self.url("queue/join")
        async with self._ajoin_slots():
            response = await self._asend(
                "POST", url, "joining the queue", retry=True, content_type=JSON,
                retry_status=JOIN_RETRY_STATUS, hot=True,
                content=dumps(self.join_body(fn_index, data, session_hash, oauth)),
            )
        return event_id_of(response)

    async def acancel(self, fn_index: int, event_id: str, session_hash: str) -> bool:
        """Ask the server to cancel; False when it has no /cancel route (< 4.31)."""
        response = await self._asend(
            "POST", self.url("cancel"), "cancelling", retry=True, content_type=JSON,
            content=dumps(self.cancel_body(fn_index, event_id, session_hash)),
        )
        if response.status_code in (404, 405):
            return False
        if response.status_code >= 400:
            raise status_error(response, "cancelling")
        return True

    async def aupload(self, files: Sequence[UploadFile]) -> list[str]:
        """Upload files (streamed from disk) and return their server paths."""
        paths: list[str] = []
        for item in files:
            with opened(item) as fileobj:
                response = await self._asend(
                    "POST", self.url("upload"), "uploading a file", retry=False,
                    files=[("files", (item.name, fileobj, "application/octet-stream"))],
                )
            paths.extend(upload_paths(response, 1))
        return paths
