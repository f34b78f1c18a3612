"""Bad input is refused with a ValidationError naming the parameter, before anything
is sent (the proxy's request log proves it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest

from gradio_codegen_runtime import Client
from gradio_codegen_runtime.errors import ValidationError
from tests.reliability.proxy import Proxy
from tests.servers.pool import Server

pytestmark = pytest.mark.timeout(120)
GOOD: dict[str, Any] = {"text": "hi", "choice": "red", "level": 3, "doc": b"small"}


@pytest.fixture(params=["6.31.0", "4.44.1"], ids=lambda v: f"gradio{v}")
def client_and_proxy(
    request: pytest.FixtureRequest, serve: Callable[[str, str], Server]
) -> Iterator[tuple[Client, Proxy]]:
    server = serve("rel_validate", str(request.param))
    proxy = Proxy(server.port)
    client = Client(proxy.url)
    assert client.predict("/check", **GOOD) == "hi|red|3|file"  # warm: config and info read
    yield client, proxy
    client.close()
    proxy.close()


def _cases(tmp_path: Path) -> list[tuple[str, dict[str, Any]]]:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 4096)  # the app's limit is 1024 bytes
    return [
        ("text", {"text": 123}),
        ("text", {"text": ["a"]}),
        ("choice", {"choice": "blue"}),
        ("choice", {"choice": 1}),
        ("level", {"level": 11}),
        ("level", {"level": -0.5}),
        ("level", {"level": "3"}),
        ("level", {"level": float("nan")}),
        ("doc", {"doc": str(tmp_path / "missing.txt")}),
        ("doc", {"doc": big}),
        ("doc", {"doc": b"y" * 2048}),
        ("doc", {"doc": 42}),
        ("colour", {"colour": "red"}),
    ]


def test_bad_input_is_refused_before_sending(
    client_and_proxy: tuple[Client, Proxy], tmp_path: Path
) -> None:
    client, proxy = client_and_proxy
    for parameter, change in _cases(tmp_path):
        before = len(proxy.requests)
        with pytest.raises(ValidationError) as info:
            client.predict("/check", **{**GOOD, **change})
        assert info.value.parameter == parameter, (change, str(info.value))
        assert parameter in str(info.value)
        assert len(proxy.requests) == before, f"{change} sent {proxy.requests[before:]}"
    before = len(proxy.requests)
    with pytest.raises(ValidationError) as info:
        client.predict("/check", "a", "red", 1, b"x", "extra")
    assert len(proxy.requests) == before
