"""Certificates: a company CA given only through SSL_CERT_FILE is
trusted by every path, hot ones included; ``trust_env=False`` ignores it; ``verify=``
takes a bundle path, an SSLContext or ``"system"`` (the OS store, via truststore)."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import pytest
import trustme

from gradio_codegen_runtime import AsyncClient, Client
from gradio_codegen_runtime.errors import APIConnectionError
from tests.reliability.proxy import Proxy

pytestmark = pytest.mark.timeout(120)


def _hot_only(front: Proxy) -> bool:
    """The joins and streams took the socket pools (which ask for no compression)."""
    queue = front.seen("/queue/")
    return bool(queue) and all(r.headers.get("accept-encoding") == "identity" for r in queue)


@pytest.fixture
def bundle(authority: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "company-ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return path


def test_ssl_cert_file_is_trusted_by_every_path(
    tls_front: Proxy, bundle: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    with Client(tls_front.url) as client:
        ref = client.predict("/file_echo", b"over tls")
        assert ref.read_bytes() == b"over tls"

    async def run() -> str:
        async with AsyncClient(tls_front.url) as client:
            return str(await client.predict("/echo", "async", 1, "-"))

    assert asyncio.run(run()) == "async"
    assert _hot_only(tls_front) and tls_front.seen("/upload") and tls_front.seen("/file=")
    # The same bundle ignored: the app's certificate is refused.
    with Client(tls_front.url, trust_env=False, max_retries=0) as client:
        with pytest.raises(APIConnectionError):
            client.predict("/echo", "x", 1, "-")


def test_verify_takes_a_bundle_or_a_context(tls_front: Proxy, bundle: Path) -> None:
    context = ssl.create_default_context(cafile=str(bundle))
    for verify in (str(bundle), context):
        with Client(tls_front.url, verify=verify) as client:
            assert client.predict("/echo", "ok", 1, "-") == "ok"
    assert _hot_only(tls_front)
    with pytest.raises(ValueError, match="verify"):
        Client(tls_front.url, verify=str(bundle.parent / "missing.pem"))


def test_verify_system_uses_the_os_trust_store(
    tls_front: Proxy, bundle: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The OS store is not ours to change: on Linux truststore reads OpenSSL's default
    # locations, which OpenSSL itself lets SSL_CERT_FILE replace. trust_env=False keeps
    # the runtime's own reading of that variable out of it.
    with Client(tls_front.url, verify="system", trust_env=False, max_retries=0) as client:
        with pytest.raises(APIConnectionError):
            client.predict("/echo", "x", 1, "-")
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    with Client(tls_front.url, verify="system", trust_env=False) as client:
        assert client.predict("/echo", "system", 1, "-") == "system"
    assert _hot_only(tls_front)
