"""OAuth on behalf of the user (Gradio 6.21+): endpoints whose function takes a
``gr.OAuthToken`` get the client's ``oauth_token`` in their join body, other endpoints
never; one that requires it refuses to start without it. Runtime client and a
generated SDK against a real 6.31 app."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import pytest

from gradio_codegen.cli import main as cli
from gradio_codegen_runtime import AsyncClient, AuthenticationError, Client
from tests.conftest import import_fresh
from tests.reliability.proxy import Proxy
from tests.servers.pool import Server

pytestmark = pytest.mark.timeout(120)
OAUTH = "hf_oauthUSERtoken0001"


@pytest.fixture
def oauth_front(serve: Callable[[str, str], Server]) -> Iterator[Proxy]:
    p = Proxy(serve("net_oauth", "6.31.0").port)
    yield p
    p.close()


def _join_bodies(front: Proxy) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in front.seen("POST ") if "/queue/join" in r.target]


def test_runtime_client_sends_the_token_only_where_declared(oauth_front: Proxy) -> None:
    with Client(oauth_front.url, oauth_token=OAUTH) as app:
        assert app.predict("/act", "a") == f"a|{OAUTH}"
        assert app.predict("/maybe", "b") == f"b|{OAUTH}"
        assert app.predict("/plain", "c") == "c"
    bodies = _join_bodies(oauth_front)
    assert [b.get("oauth_token") for b in bodies] == [OAUTH, OAUTH, None]
    with Client(oauth_front.url) as app:
        assert app.predict("/maybe", "d") == "d|anonymous"
        with pytest.raises(AuthenticationError, match="oauth_token"):
            app.predict("/act", "e")
    assert len(_join_bodies(oauth_front)) == 4  # the refused call sent no join

    async def run() -> str:
        async with AsyncClient(oauth_front.url, oauth_token=OAUTH) as app:
            return str(await app.predict("/act", "f"))

    assert asyncio.run(run()) == f"f|{OAUTH}"


def test_generated_sdk_takes_oauth_token(oauth_front: Proxy, tmp_path: Path) -> None:
    out = tmp_path / "oauth_sdk"
    assert cli([oauth_front.url, "-o", str(out)]) == 0
    source = (out / "_client.py").read_text()
    assert "oauth_token='required'" in source or 'oauth_token="required"' in source
    assert OAUTH not in source
    sdk = import_fresh(out, "oauth_sdk")
    with sdk.Client(oauth_token=OAUTH) as app:
        assert app.act("g") == f"g|{OAUTH}"
        assert app.plain("h") == "h"
    with sdk.Client() as app, pytest.raises(AuthenticationError):
        app.act("i")
    assert [b.get("oauth_token") for b in _join_bodies(oauth_front)] == [OAUTH, None]
