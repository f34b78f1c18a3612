"""Client.duplicate and ``gradio-codegen --duplicate``: one private copy, settings applied,
reused (and brought up to date) on later calls; against a real Gradio server."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest

from gradio_codegen.cli import main as cli
from gradio_codegen_runtime import AuthenticationError, Client
from gradio_codegen_runtime.hub import SpaceStatus
from tests.conftest import import_fresh
from tests.hub.conftest import ALICE
from tests.hub.fakehub import FakeHub


def _posts(hub: FakeHub, space_id: str) -> list[str]:
    return [s.path.rsplit("/", 1)[-1] for s in hub.seen
            if s.method == "POST" and f"/api/spaces/{space_id}/" in s.path]


def test_duplicate_creates_once_then_reuses_and_updates(
    hub: FakeHub, serve, tmp_path: Path
) -> None:
    server = serve("calc", "6.31.0")
    hub.add_space("gradio/calc", server.url)
    out = tmp_path / "dup_sdk"
    assert cli(["gradio/calc", "-o", str(out)]) == 0
    sdk = import_fresh(out, "dup_sdk")

    events: list[SpaceStatus] = []
    with pytest.warns(UserWarning, match="secrets"):  # the second call warns
        app = sdk.Client.duplicate(
            token=ALICE, hardware="t4-small", sleep_timeout=300, secrets={"API_KEY": "s3cret"},
            space_status=events.append,
        )
        with app:
            assert isinstance(app, sdk.Client)
            assert app.space_id == "alice/calc"
            copy = hub.spaces["alice/calc"]
            assert copy.copied_from == "gradio/calc" and copy.private
            assert (copy.hardware, copy.sleep_time, copy.secrets) == (
                "t4-small", 300, {"API_KEY": "s3cret"}
            )
            # It was waited for while it was built.
            assert [e.stage for e in events] == ["BUILDING", "APP_STARTING", "RUNNING"]
            assert app.url == copy.host
            assert app.predict(4, "add", 5) == 9.0  # the private copy gets the token
            assert copy.proxy is not None and copy.proxy.seen[-1].carries(ALICE)
        assert len(hub.duplicates) == 1

        # Second call: reuses the copy, brings hardware and sleep time up to date, and
        # waits while the new hardware restarts it.
        events.clear()
        again = sdk.Client.duplicate(
            token=ALICE, hardware="a10g-small", sleep_timeout=600,
            secrets={"API_KEY": "other"}, space_status=events.append,
        )
        assert [e.stage for e in events] == ["APP_STARTING", "RUNNING"]
    with again:
        assert again.space_id == "alice/calc"
        assert again.predict(2, "multiply", 8) == 16.0
    assert len(hub.duplicates) == 1 and list(hub.spaces) == ["gradio/calc", "alice/calc"]
    assert (copy.hardware, copy.sleep_time, copy.secrets) == (
        "a10g-small", 600, {"API_KEY": "s3cret"}
    )
    assert _posts(hub, "alice/calc") == ["hardware"]

    # Third call with what the copy already has: nothing to change, no POST at all.
    with sdk.Client.duplicate(token=ALICE, hardware="a10g-small", sleep_timeout=600) as third:
        assert third.predict(1, "subtract", 1) == 0.0
    assert _posts(hub, "alice/calc") == ["hardware"]
    # Only the sleep time differs: only it is set.
    with sdk.Client.duplicate(token=ALICE, sleep_timeout=900) as fourth:
        assert fourth.space_id == "alice/calc"
    assert _posts(hub, "alice/calc") == ["hardware", "sleeptime"]
    assert copy.sleep_time == 900
    # The owner paused the copy: duplicate restarts it rather than failing.
    copy.stages, copy.polls = ["PAUSED"], 0
    with sdk.Client.duplicate(token=ALICE) as fifth:
        assert fifth.predict(6, "divide", 3) == 2.0
    assert _posts(hub, "alice/calc") == ["hardware", "sleeptime", "restart"]


def test_async_duplicate_and_explicit_target(hub: FakeHub, serve) -> None:
    server = serve("calc", "6.31.0")
    hub.add_space("gradio/calc", server.url)
    hub.copy_stages = ["RUNNING"]
    from gradio_codegen_runtime import AsyncClient

    async def run() -> tuple[str | None, float]:
        app = await AsyncClient.duplicate("gradio/calc", "alice/my-calc", token=ALICE)
        async with app:
            result: float = await app.predict("/predict", 5, "divide", 2)
            return app.space_id, result

    assert asyncio.run(run()) == ("alice/my-calc", 2.5)
    assert hub.duplicates[0]["repository"] == "alice/my-calc"
    assert hub.duplicates[0].get("visibility") == "private" or hub.duplicates[0]["private"]


def test_duplicate_needs_a_token_and_a_source(hub: FakeHub, serve) -> None:
    server = serve("calc", "6.31.0")
    hub.add_space("gradio/calc", server.url)
    with pytest.raises(AuthenticationError, match="token"):
        Client.duplicate("gradio/calc")
    with pytest.raises(ValueError, match="from_id"):
        Client.duplicate(token=ALICE)  # the generic client has no Space of its own
    with pytest.raises(ValueError, match="itself"):
        Client.duplicate("alice/calc", token=ALICE)
    with pytest.raises(TypeError, match="tokn"):  # refused before the Hub makes a copy
        Client.duplicate("gradio/calc", token=ALICE, tokn="x")  # type: ignore[call-arg]
    assert hub.duplicates == []


def test_duplicate_options_are_the_constructors() -> None:
    """``ClientOptions`` (what type checkers accept as duplicate's ``**options``) lists
    the constructor's keywords that duplicate does not use itself."""
    from gradio_codegen_runtime.client import _Base
    from gradio_codegen_runtime.duplicate import ClientOptions

    own = {"self", "src", "token", "space_status", "wake_timeout", "transport"}
    keywords = set(inspect.signature(_Base.__init__).parameters) - own
    assert set(ClientOptions.__optional_keys__) == keywords


def test_cli_duplicate(hub: FakeHub, serve, tmp_path: Path, capsys) -> None:
    server = serve("calc", "6.31.0")
    hub.add_space("gradio/calc", server.url)
    out = tmp_path / "mine"
    args = ["gradio/calc", "-o", str(out), "--duplicate", "--hardware", "t4-small",
            "--sleep-timeout", "120", "--token", ALICE]
    assert cli(args) == 0
    err = capsys.readouterr().err
    assert "alice/calc" in err and "building" in err
    copy = hub.spaces["alice/calc"]
    assert (copy.hardware, copy.sleep_time, copy.private) == ("t4-small", 120, True)
    client_src = (out / "_client.py").read_text()
    assert "alice/calc" in client_src and copy.host in client_src
    for path in out.rglob("*"):
        assert not path.is_file() or ALICE not in path.read_text(errors="replace")
    sdk = import_fresh(out, "mine")
    with sdk.Client(token=ALICE) as app:
        assert app.predict(3, "add", 3) == 6.0
    # Again: the copy is reused, and the SDK is unchanged.
    assert cli(args[:-2] + ["--check", "--token", ALICE]) == 0
    assert len(hub.duplicates) == 1
    assert cli(["gradio/calc", "-o", str(tmp_path / "x"), "--hardware", "t4-small"]) == 2
