"""A Space id behind a proxy: huggingface_hub's Hub calls (resolution, the stream JWT)
and every request to the Space's host go through the proxy the environment names."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

import huggingface_hub

from gradio_codegen_runtime import Client
from tests.hub.conftest import ALICE
from tests.hub.fakehub import FakeHub
from tests.network.conftest import NET_VARS, ForwardProxy
from tests.reliability.proxy import wait_until

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def app_url(serve) -> str:  # type: ignore[no-untyped-def]
    """The app, started before the proxy variables are set (its server inherits them)."""
    return str(serve("rt_calls", "6.31.0").url)


@pytest.fixture
def env_proxy(
    app_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ForwardProxy]:
    for name in NET_VARS:
        monkeypatch.delenv(name, raising=False)
    proxy = ForwardProxy(tmp_path / "proxy")
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    huggingface_hub.close_session()  # its shared client read the environment when made
    yield proxy
    monkeypatch.delenv("HTTP_PROXY")
    huggingface_hub.close_session()  # later tests get a client without the proxy
    proxy.close()


def test_space_id_through_the_proxy(hub: FakeHub, app_url: str, env_proxy: ForwardProxy) -> None:
    space = hub.add_space("alice/secret", app_url, private=True)
    with Client("alice/secret", token=ALICE) as app:
        assert app.predict("/echo", "via proxy", 1, "-") == "via proxy"
    hub_port = hub.url.rsplit(":", 1)[1]
    host_port = space.host.rsplit(":", 1)[1]
    assert space.proxy is not None

    def targets() -> list[str]:
        return [e.target for e in env_proxy.logged()]

    huggingface_hub.close_session()  # proxy.py logs a connection when it ends

    def hub_connections() -> list[str]:
        return [t for t in targets() if t.startswith(f"127.0.0.1:{hub_port}/")]

    # The Hub's connections (space info, then the JWT on the same connection: proxy.py
    # names a connection by its first request) and the Space's all came through it.
    assert wait_until(lambda: bool(hub_connections()), 30), targets()
    assert all("/api/spaces/alice/secret" in t for t in hub_connections())
    assert any(t.startswith(f"127.0.0.1:{host_port}/") for t in targets())


def test_stream_jwt_hidden_in_httpx_log(
    hub: FakeHub, app_url: str, env_proxy: ForwardProxy, caplog: pytest.LogCaptureFixture
) -> None:
    # Through a proxy the event stream goes by httpx, which logs each request's URL at
    # INFO: the stream URL's __sign JWT (a credential) must not reach the log.
    hub.add_space("alice/secret", app_url, private=True, require_sign=True)
    caplog.set_level(logging.INFO, logger="httpx")
    with Client("alice/secret", token=ALICE) as app:
        assert app.predict("/echo", "logged", 1, "-") == "logged"
    assert hub.jwts  # the stream was signed (the Space refuses unsigned streams)
    streams = [r.getMessage() for r in caplog.records if "/queue/data" in r.getMessage()]
    assert streams and all("__sign=[redacted]" in m for m in streams), streams
    assert not any(jwt in caplog.text for jwt in hub.jwts)
