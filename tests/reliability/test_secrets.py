"""Secrets: tokens reach only allowed hosts and never appear in generated files,
reprs, logs, warnings or error messages, even when the URL itself carries them."""

from __future__ import annotations

import asyncio
import base64
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest

from gradio_codegen.cli import main as cli
from gradio_codegen_runtime import AsyncClient, Client
from gradio_codegen_runtime.errors import GradioError
from tests.reliability.proxy import Proxy
from tests.servers.pool import Server

pytestmark = pytest.mark.timeout(180)

TOKEN = "hf_TOKENsecret0001"
PASSWORD = "PASSWORDsecret0002"
QUERY = "QUERYsecret0003"
SECRETS = (
    TOKEN, PASSWORD, QUERY, "secret000",
    base64.b64encode(f"user:{PASSWORD}".encode()).decode(),
)


@pytest.fixture
def proxy(serve: Callable[[str, str], Server]) -> Iterator[Proxy]:
    server = serve("rel_jobs", "6.31.0")
    p = Proxy(server.port)
    yield p
    p.close()


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    for name in ("", "httpx", "httpcore", "gradio_codegen", "huggingface_hub"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def _assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a secret leaked into {where}"


def _exercise(client: Client, proxy: Proxy, texts: list[str]) -> None:
    """Calls, a job, and several failures; collects every string a user could see."""
    texts += [repr(client), str(client.url)]
    assert client.predict("/echo", "a", "s1") == "a|s1"
    job = client.submit("/count", 2, "s2")
    assert list(job) == ["s2:0", "s2:1"]
    texts += [repr(job), repr(job.status())]
    failures: list[Callable[[], Any]] = [
        lambda: client.predict("/nope"),
        lambda: client.predict("/echo", "a", "b", "c"),
    ]
    for failing in failures:
        with pytest.raises(GradioError) as info:
            failing()
        texts += [str(info.value), repr(info.value), repr(info.value.__cause__)]
    proxy.refuse()
    client._conn.close()  # pooled keep-alive connections would still reach the app
    try:
        with pytest.raises(GradioError) as info:
            client.predict("/echo", "a", "s3")
        texts += [str(info.value), repr(info.value)]
    finally:
        proxy.accept()


def test_token_and_url_credentials_never_leak(
    proxy: Proxy, captured: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    url = f"http://user:{PASSWORD}@127.0.0.1:{proxy.port}/?token={QUERY}"
    texts: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with Client(url, token=TOKEN, max_retries=0) as client:
            _exercise(client, proxy, texts)
    texts += [str(w.message) for w in caught]
    _assert_clean("\n".join(texts), "reprs, errors or warnings")
    _assert_clean(captured.text, "the logs")
    assert proxy.requests
    for request in proxy.requests:
        # 127.0.0.1 is not a Hugging Face host: no token; the query string is dropped.
        assert TOKEN.encode() not in request.raw_head + request.body
        assert QUERY not in request.target
        # URL credentials are for the app itself, as HTTP Basic auth.
        assert request.headers.get("authorization", "").startswith("Basic ")


def test_token_sent_only_to_allowed_host(proxy: Proxy, captured: pytest.LogCaptureFixture) -> None:
    with Client(proxy.url, token=TOKEN, allow_token_hosts=[proxy.url]) as client:
        texts = [repr(client)]
        assert client.predict("/echo", "a", "ok") == "a|ok"
    joins = proxy.seen("queue/join")
    assert joins and all(r.headers["x-hf-authorization"] == f"Bearer {TOKEN}" for r in joins)
    _assert_clean("\n".join(texts), "reprs")
    _assert_clean(captured.text, "the logs")


def test_async_client_does_not_leak(proxy: Proxy, captured: pytest.LogCaptureFixture) -> None:
    url = f"http://user:{PASSWORD}@127.0.0.1:{proxy.port}/?token={QUERY}"

    async def main() -> list[str]:
        async with AsyncClient(url, token=TOKEN) as client:
            texts = [repr(client)]
            assert await client.predict("/echo", "a", "as") == "a|as"
            with pytest.raises(GradioError) as info:
                await client.predict("/nope")
            return texts + [str(info.value)]

    _assert_clean("\n".join(asyncio.run(main())), "reprs or errors")
    _assert_clean(captured.text, "the logs")
    for request in proxy.requests:
        assert TOKEN.encode() not in request.raw_head + request.body


def test_generated_sdk_holds_no_secret(
    proxy: Proxy, tmp_path: Path, captured: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    url = f"http://user:{PASSWORD}@127.0.0.1:{proxy.port}/?token={QUERY}"
    out = tmp_path / "secret_sdk"
    assert cli([url, "-o", str(out), "--token", TOKEN]) == 0
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files
    for path in files:
        _assert_clean(path.read_text(errors="replace"), str(path.relative_to(tmp_path)))
    output = capsys.readouterr()
    _assert_clean(output.out + output.err, "the CLI output")
    _assert_clean(captured.text, "the logs")
    for request in proxy.requests:
        assert TOKEN.encode() not in request.raw_head + request.body
