"""Signed event streams: a Space-id client with a token fetches the Space's JWT from the
(stand-in) Hub and sends it as ``__sign`` on the event stream; the Space's proxy here
refuses unsigned streams, as some private Spaces' proxies do."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import pytest

from gradio_codegen_runtime import AsyncClient, Client, GradioError
from tests.hub.conftest import ALICE
from tests.hub.fakehub import FakeHub, FakeSpace

pytestmark = pytest.mark.timeout(120)


def _signs(space: FakeSpace) -> list[str]:
    assert space.proxy is not None
    return [
        sign for seen in space.proxy.seen if "/queue/data" in seen.path
        for sign in parse_qs(urlsplit(seen.path).query).get("__sign", [""])
    ]


def test_space_streams_are_signed(hub: FakeHub, serve) -> None:  # type: ignore[no-untyped-def]
    space = hub.add_space(
        "alice/secret", serve("rt_calls", "6.31.0").url, private=True, require_sign=True
    )
    with Client("alice/secret", token=ALICE) as app:
        assert app.predict("/echo", "signed", 1, "-") == "signed"

    async def run() -> str:
        async with await AsyncClient.create("alice/secret", token=ALICE) as app:
            return str(await app.predict("/echo", "async", 1, "-"))

    assert asyncio.run(run()) == "async"
    signs = _signs(space)
    assert len(signs) == 2 and all(hub.jwts.get(s) == "alice/secret" for s in signs)
    asked = [s for s in hub.seen if s.path == "/api/spaces/alice/secret/jwt"]
    assert asked and all(s.carries(ALICE) for s in asked)
    # The same Space by URL has no Space id to sign for: its proxy refuses the stream.
    with Client(space.host, token=ALICE, allow_token_hosts=[space.host]) as app:
        with pytest.raises(GradioError):
            app.predict("/echo", "unsigned", 1, "-")
    assert _signs(space)[2:] == [""]


def test_jwt_is_fetched_again_when_due(hub: FakeHub, serve) -> None:  # type: ignore[no-untyped-def]
    space = hub.add_space(
        "alice/secret", serve("rt_calls", "6.31.0").url, private=True, require_sign=True
    )
    with Client("alice/secret", token=ALICE) as app:
        assert app.predict("/echo", "one", 1, "-") == "one"
        signer = app._conn.signer
        assert signer is not None and not signer.due()  # an hour's JWT: kept
        signer._due_at = 0.0  # as when its exp comes near
        assert app.predict("/echo", "two", 1, "-") == "two"
    first, second = _signs(space)
    assert first != second and hub.jwts[first] == hub.jwts[second] == "alice/secret"


def test_no_jwt_means_unsigned_streams(hub: FakeHub, serve) -> None:  # type: ignore[no-untyped-def]
    # A public Space without a token: nothing is asked of the Hub, nothing is signed.
    space = hub.add_space("alice/open", serve("rt_calls", "6.31.0").url)
    with Client("alice/open") as app:
        assert app.predict("/echo", "open", 1, "-") == "open"
    assert _signs(space) == [""]
    assert not [s for s in hub.seen if s.path.endswith("/jwt")]
