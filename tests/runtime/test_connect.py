"""Connecting: URL with and without a mount path, API prefix and protocol from /config,
password auth, and the errors for an unusable server."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gradio_codegen.runtime import (
    AsyncClient,
    AuthenticationError,
    Client,
    NotFoundError,
    ProtocolError,
    ServerInfo,
)


def test_prefix_and_protocol_from_config(calls_url: str, gradio_version: str) -> None:
    with Client(calls_url + "/") as app:
        assert app.predict("/echo", "hi") == "hi-hi"
        server = app._conn.server
        assert server is not None
        assert server.protocol == "sse_v3"
        assert server.version == gradio_version
        assert server.api_prefix == ("" if gradio_version.startswith("4.") else "/gradio_api")
        assert app.url == calls_url


def test_unknown_endpoint_and_unknown_app_path(calls_url: str) -> None:
    with Client(calls_url) as app:
        with pytest.raises(NotFoundError, match="/nope"):
            app.predict("/nope")
    with Client(calls_url + "/not-here") as app:
        with pytest.raises(NotFoundError):
            app.predict("/echo", "x")


def test_gradio3_websocket_config_is_refused() -> None:
    with pytest.raises(ProtocolError, match="3.x websocket"):
        ServerInfo.from_config({"version": "3.50.2", "mode": "blocks"})
    with pytest.raises(ProtocolError):
        ServerInfo.from_config({"version": "3.50.2", "protocol": "ws"})
    info = ServerInfo.from_config({"version": "5.1", "protocol": "sse_v3",
                                   "api_prefix": "/gradio_api/", "max_file_size": 10})
    assert (info.api_prefix, info.protocol, info.max_file_size) == ("/gradio_api", "sse_v3", 10)


def test_mount_path_and_password_auth(serve: Any, gradio_version: str) -> None:
    url = serve("rt_mount", gradio_version).url + "/sub"
    with Client(url, auth=("user", "pw")) as app:
        assert app.predict("/shout", "hey") == "HEY"
        assert app.predict("/reverse", "abc") == "cba"
    with Client(url, auth=("user", "wrong")) as app:
        with pytest.raises(AuthenticationError) as wrong:
            app.predict("/shout", "hey")
        assert wrong.value.status_code == 400  # gradio answers a bad login with 400
        assert "wrong" not in str(wrong.value)
    with Client(url) as app:
        with pytest.raises(AuthenticationError) as missing:
            app.predict("/shout", "hey")
        assert missing.value.status_code == 401

    async def run() -> None:
        async with AsyncClient(url + "/", auth=("user", "pw")) as app:
            assert await app.predict("/shout", "abc") == "ABC"
            assert await app.predict("/reverse", "xyz") == "zyx"
        async with AsyncClient(url, auth=("user", "nope")) as app:
            with pytest.raises(AuthenticationError):
                await app.predict("/shout", "abc")
        async with AsyncClient(url) as app:
            with pytest.raises(AuthenticationError):
                await app.predict("/shout", "abc")

    asyncio.run(run())
