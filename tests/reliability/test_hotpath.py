"""The sync client's http.client path for joins and event streams (``runtime/_h1.py``):
kept-alive connections, stale ones replaced, login cookies, TLS with and without
certificate checks. Faults on this path are covered by ``test_faults.py``."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from typing import Any, Callable

import httpx
import pytest
import trustme

from gradio_codegen.runtime import AsyncClient, Client
from gradio_codegen.runtime._h1 import H1Pool
from gradio_codegen.runtime.errors import APIConnectionError
from tests.reliability.conftest import Resources, executions, new_tag
from tests.reliability.proxy import Proxy, Request
from tests.servers.pool import Server

pytestmark = pytest.mark.timeout(90)


def _hot(request: Request) -> bool:
    """http.client asks for no compression where httpx asks for gzip: a request with
    ``accept-encoding: identity`` went through the hot path."""
    return request.headers.get("accept-encoding") == "identity"


def test_calls_share_kept_alive_connections(
    proxy: Proxy, jobs_server: Server, resources: Resources
) -> None:
    client = Client(proxy.url)
    client.endpoints()
    tags = [new_tag() for _ in range(10)]
    for tag in tags:
        assert client.predict("/echo", "hi", tag) == f"hi|{tag}"
    queue = proxy.seen("/queue/")
    assert len(queue) == 20 and all(_hot(r) for r in queue)
    assert len({r.conn_id for r in queue}) <= 3  # not one connection per request
    assert not any(_hot(r) for r in proxy.seen("/config"))  # the rest stays on httpx
    client.close()
    resources.assert_released(proxy)


def test_connection_closed_by_the_server_is_replaced(
    proxy: Proxy, jobs_server: Server, resources: Resources
) -> None:
    client = Client(proxy.url)
    first = new_tag()
    assert client.predict("/echo", "a", first) == f"a|{first}"
    proxy.drop_all()  # the server side ends every idle kept-alive connection
    assert proxy.wait_for(lambda: proxy.open_connections() == 0, 10)
    second = new_tag()
    assert client.predict("/echo", "b", second) == f"b|{second}"
    assert executions(jobs_server, "echo", second) == 1
    client.close()
    resources.assert_released(proxy)


def test_login_cookie_reaches_joins_and_streams(serve: Callable[[str, str], Server]) -> None:
    server = serve("gen_auth", "6.31.0")
    proxy = Proxy(server.port)
    try:
        with Client(proxy.url, auth=("user", "secret-pw")) as client:
            assert client.predict("/reverse", "abc") == "cba"
            assert client.predict("/reverse", "xyz") == "zyx"
        queue = proxy.seen("/queue/")
        assert queue and all(_hot(r) and "cookie" in r.headers for r in queue)
    finally:
        proxy.close()


def test_login_cookie_async(serve: Callable[[str, str], Server]) -> None:
    server = serve("gen_auth", "6.31.0")

    async def run() -> Any:
        async with AsyncClient(server.url, auth=("user", "secret-pw")) as client:
            return await client.predict("/reverse", "abc")

    assert asyncio.run(run()) == "cba"


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_proxy(jobs_server: Server, authority: trustme.CA) -> Iterator[Proxy]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    p = Proxy(jobs_server.port, tls=context)
    yield p
    p.close()


def test_tls_without_verification(tls_proxy: Proxy, jobs_server: Server) -> None:
    tag = new_tag()
    with Client(tls_proxy.url, verify=False) as client:
        assert client.predict("/echo", "tls", tag) == f"tls|{tag}"
        assert client.predict("/echo", "again", tag) == f"again|{tag}"
    queue = tls_proxy.seen("/queue/")
    assert len(queue) == 4 and all(_hot(r) for r in queue)


def test_tls_verifies_certificates_by_default(tls_proxy: Proxy, jobs_server: Server) -> None:
    # The certificate's authority is not trusted: both paths refuse the connection.
    with pytest.raises(APIConnectionError):
        Client(tls_proxy.url).endpoints()
    pool = H1Pool(tls_proxy.url, verify=True)
    timeout = httpx.Timeout(10.0)
    with pytest.raises(httpx.ConnectError):
        pool.request("GET", tls_proxy.url + "/config", {}, None, timeout)
    unchecked = H1Pool(tls_proxy.url, verify=False)
    answer: Any = unchecked.request("GET", tls_proxy.url + "/config", {}, None, timeout)
    assert answer.status_code == 200 and "components" in answer.json()
    pool.close()
    unchecked.close()
