"""Proxies: every request of a call goes through a real forward proxy (proxy.py) when
the environment or the ``proxy=`` option names one, none when ``NO_PROXY`` matches or
``trust_env=False``; plain HTTP and HTTPS (CONNECT tunnel, TLS end to end) targets;
proxy authentication; the proxy's credentials never shown."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import Any, Callable

import pytest
import trustme

from gradio_codegen_runtime import AsyncClient, Client
from gradio_codegen_runtime.errors import APIConnectionError, APIStatusError, CancelledError
from gradio_codegen.cli import main as cli
from tests.conftest import import_fresh
from tests.network.conftest import PROXY_PASSWORD, PROXY_USER, ForwardProxy, accepted
from tests.reliability.proxy import Proxy, wait_until
from tests.servers.pool import free_port

pytestmark = pytest.mark.timeout(120)
WAIT = 60.0


def _exercise(client: Client, workdir: Path) -> None:
    """Every kind of request: config, info, join, stream, upload, download, cancel."""
    assert client.predict("/echo", "hi", 2, "-") == "hi-hi"
    ref = client.predict("/file_echo", b"proxied bytes")
    assert ref.read_bytes() == b"proxied bytes"
    flag = workdir / "release"
    job = client.submit("/block", str(flag))
    started = threading.Event()
    job.on("status", lambda s: s.code == "process_starts" and started.set())
    assert started.wait(WAIT)
    assert job.cancel() is True
    with pytest.raises(CancelledError):
        job.result(timeout=WAIT)
    flag.touch()  # the app's function ends too


async def _aexercise(client: AsyncClient) -> None:
    assert await client.predict("/echo", "hi", 2, "-") == "hi-hi"
    ref = await client.predict("/file_echo", b"async bytes")
    assert await ref.aread_bytes() == b"async bytes"


def _through(proxy: ForwardProxy, front: Proxy) -> None:
    """Every connection that reached the app's front came through the forward proxy:
    proxy.py's own access log has one line per client connection it served (written
    when it ends), each naming the front, and their number is the number of
    connections the front accepted; one request sent directly would add one more."""
    _through_connections(proxy, front)
    kinds = " ".join(f"{r.method} {r.target}" for r in front.requests)
    for route in ("/config", "/info", "/queue/join", "/queue/data", "/upload", "/file="):
        assert route in kinds, route


def _through_connections(proxy: ForwardProxy, front: Proxy) -> None:
    target = f"127.0.0.1:{front.port}"

    def logged() -> list[str]:
        return [e.target for e in proxy.logged()]

    assert wait_until(lambda: len(logged()) == accepted(front), 30), (
        logged(), accepted(front)
    )
    assert logged() and all(t.startswith(target) for t in logged())


def test_env_proxy_carries_every_request(
    forward_proxy: Callable[..., ForwardProxy], front: Proxy, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = forward_proxy()
    monkeypatch.setenv("http_proxy", proxy.url)  # lower case counts as much as upper
    with Client(front.url) as client:
        _exercise(client, tmp_path)
    _through(proxy, front)
    assert front.seen("/cancel")


def test_async_env_proxy_carries_every_request(
    forward_proxy: Callable[..., ForwardProxy], front: Proxy, monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = forward_proxy()
    monkeypatch.setenv("ALL_PROXY", proxy.url)

    async def run() -> None:
        async with AsyncClient(front.url) as client:
            await _aexercise(client)

    asyncio.run(run())
    _through(proxy, front)


def test_proxy_option_with_authentication(
    forward_proxy: Callable[..., ForwardProxy], front: Proxy, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    proxy = forward_proxy(auth=(PROXY_USER, PROXY_PASSWORD))
    client = Client(front.url, proxy=proxy.url)
    with client:
        _exercise(client, tmp_path)
        shown = repr(client) + repr(client._conn) + repr(client._conn.net)
    _through(proxy, front)
    # A wrong password is the proxy's 407, typed; no password anywhere.
    wrong = proxy.url.replace(PROXY_PASSWORD, "WRONGsecret0043")
    with Client(front.url, proxy=wrong) as bad, pytest.raises(APIStatusError) as info:
        bad.predict("/echo", "x", 1, "-")
    assert info.value.status_code == 407
    text = shown + str(info.value) + repr(info.value) + caplog.text + proxy.log()
    assert PROXY_PASSWORD not in text and "WRONGsecret0043" not in text


def test_no_proxy_and_trust_env_false_go_direct(
    forward_proxy: Callable[..., ForwardProxy], front: Proxy, monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = forward_proxy()
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "example.com, 127.0.0.1")
    with Client(front.url) as client:
        assert client.predict("/echo", "direct", 1, "-") == "direct"
    monkeypatch.delenv("NO_PROXY")
    with Client(front.url, trust_env=False) as client:
        assert client.predict("/echo", "direct", 1, "-") == "direct"
    assert len(front.seen("/queue/join")) == 2
    # Direct requests use the socket pools (no compression asked), as without a proxy.
    assert all(r.headers.get("accept-encoding") == "identity" for r in front.seen("/queue/"))
    assert proxy.logged() == []


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_https_target_through_connect_tunnel(
    forward_proxy: Callable[..., ForwardProxy], tls_front: Proxy, authority: trustme.CA,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str,
) -> None:
    proxy = forward_proxy(auth=(PROXY_USER, PROXY_PASSWORD))
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    if mode == "sync":
        with Client(tls_front.url, verify=str(bundle)) as client:
            _exercise(client, tmp_path)
    else:

        async def run() -> None:
            async with AsyncClient(tls_front.url, verify=str(bundle)) as client:
                await _aexercise(client)

        asyncio.run(run())
    # Every TLS connection the app's front accepted was a tunnel the proxy opened.
    tunnels = lambda: [e for e in proxy.logged() if e.method == "CONNECT"]  # noqa: E731
    assert wait_until(lambda: len(tunnels()) == accepted(tls_front), 30)
    assert tunnels() and all(e.target == f"127.0.0.1:{tls_front.port}" for e in tunnels())
    assert tls_front.seen("/queue/join") and tls_front.seen("/file=")


def test_https_tunnel_refused_without_credentials(
    forward_proxy: Callable[..., ForwardProxy], tls_front: Proxy, monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = forward_proxy(auth=(PROXY_USER, PROXY_PASSWORD))
    monkeypatch.setenv("HTTPS_PROXY", proxy.bare_url)
    with Client(tls_front.url, verify=False, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            client.predict("/echo", "x", 1, "-")
    assert "ProxyError" in str(info.value)
    assert accepted(tls_front) == 0


def test_login_goes_through_the_proxy(
    forward_proxy: Callable[..., ForwardProxy], serve: Callable[[str, str], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = forward_proxy()
    mounted = Proxy(serve("rt_mount", "6.31.0").port)
    try:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        with Client(mounted.url + "/sub", auth=("user", "pw")) as client:
            assert client.predict("/reverse", "abc") == "cba"
        assert mounted.seen("POST /sub/login")
        _through_connections(proxy, mounted)
    finally:
        mounted.close()


def test_unreachable_proxy_is_a_typed_error_without_its_credentials(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("", "httpx", "httpcore", "gradio_codegen"):
        caplog.set_level(logging.DEBUG, logger=name)
    closed = free_port()  # nothing listens there
    monkeypatch.setenv("HTTPS_PROXY", f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{closed}")
    texts: list[str] = []
    for mode in ("sync", "async"):
        with pytest.raises(APIConnectionError) as info:
            if mode == "sync":
                with Client("https://app.invalid", max_retries=0) as client:
                    texts.append(repr(client))
                    client.endpoints()
            else:

                async def run() -> None:
                    async with AsyncClient("https://app.invalid", max_retries=0) as client:
                        await client.endpoints()

                asyncio.run(run())
        texts += [str(info.value), repr(info.value), repr(info.value.__cause__)]
    text = " ".join(texts) + caplog.text
    assert PROXY_PASSWORD not in text and PROXY_USER not in text


def test_generated_sdk_takes_proxy(
    forward_proxy: Callable[..., ForwardProxy], front: Proxy, tmp_path: Path,
) -> None:
    out = tmp_path / "proxied_sdk"
    assert cli([front.url, "-o", str(out)]) == 0
    sdk = import_fresh(out, "proxied_sdk")
    before = accepted(front)
    proxy = forward_proxy(auth=(PROXY_USER, PROXY_PASSWORD))
    with sdk.Client(proxy=proxy.url) as app:
        assert app.echo("sdk", 1, "-") == "sdk"
    assert wait_until(lambda: len(proxy.logged()) == accepted(front) - before, 30)
    assert proxy.logged()
