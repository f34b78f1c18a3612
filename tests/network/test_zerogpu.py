"""ZeroGPU quota forwarding: an app whose handler calls another app through the runtime
client passes on the end user's x-ip-token (sync and async handlers), only to hosts
trusted with the HF token; ``ip_token=`` sends one explicitly."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import httptools
import pytest

import gradio_codegen_runtime
from gradio_codegen_runtime import Client
from tests.servers.pool import Server, start_server

pytestmark = pytest.mark.timeout(180)
USER_TOKEN = "ip-token-of-the-end-user"


@pytest.fixture(params=["6.31.0", "4.44.1"], ids=lambda v: f"gradio{v}")
def caller(request: pytest.FixtureRequest) -> Iterator[Server]:
    """net_caller on a gradio version, able to import this checkout's runtime."""
    paths = [
        str(Path(gradio_codegen_runtime.__file__).resolve().parent.parent),  # the runtime
        str(Path(httptools.__file__).resolve().parent.parent),  # its compiled dependency
    ]
    server = start_server(
        "net_caller", str(request.param), env={"NET_RUNTIME_PATHS": os.pathsep.join(paths)}
    )
    yield server
    server.stop()


@pytest.mark.parametrize("endpoint", ["/relay", "/arelay"])
def test_handler_forwards_the_users_ip_token(
    caller: Server, serve: Callable[[str, str], Server], endpoint: str,
) -> None:
    callee = serve("net_callee", "6.31.0").url
    with Client(caller.url, headers={"x-ip-token": USER_TOKEN}) as app:
        assert app.predict(endpoint, callee, True) == USER_TOKEN
        # A host not trusted with the HF token gets no quota token either.
        assert app.predict(endpoint, callee, False) == ""
    with Client(caller.url) as app:  # no end-user token: nothing to forward
        assert app.predict(endpoint, callee, True) == ""


def test_explicit_ip_token(serve: Callable[[str, str], Server]) -> None:
    callee = serve("net_callee", "6.31.0").url
    with Client(callee, ip_token="given-token") as app:
        assert app.predict("/whoami") == "given-token"
    with Client(callee) as app:  # outside a Gradio handler nothing is added
        assert app.predict("/whoami") == ""
    with pytest.raises(ValueError, match="ip_token"):
        Client(callee, ip_token="")
