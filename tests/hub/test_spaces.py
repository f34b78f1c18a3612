"""Space ids: generate and call by id, private Spaces, waking, broken Spaces, ZeroGPU quota.

Real Gradio servers behind the fake Hub of ``fakehub.py``.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from gradio_codegen.cli import main as cli
from gradio_codegen_runtime import (
    APIConnectionError,
    AsyncClient,
    AuthenticationError,
    Client,
    NotFoundError,
    SpaceError,
    ZeroGPUQuotaError,
)
from gradio_codegen_runtime.hub import SpaceStatus
from tests.conftest import import_fresh
from tests.hub.conftest import ALICE, BOB
from tests.hub.fakehub import FakeHub
from tests.servers.pool import free_port


def test_generate_and_call_by_space_id(
    hub: FakeHub, serve, gradio_version: str, tmp_path: Path
) -> None:
    server = serve("calc", gradio_version)
    space = hub.add_space("alice/calc", server.url)
    name = "calc_space_" + gradio_version.replace(".", "_")
    out = tmp_path / name
    assert cli(["alice/calc", "-o", str(out)]) == 0
    client_src = (out / "_client.py").read_text()
    assert "_SPACE_ID = 'alice/calc'" in client_src or '_SPACE_ID = "alice/calc"' in client_src
    assert space.host in client_src  # the host it was generated from is baked in

    sdk = import_fresh(out, name)
    asked = len(hub.seen)
    with sdk.Client() as app:  # the baked host: no Hub request at construction or call
        assert app.space_id == "alice/calc"
        assert app.predict(4, "add", 5) == 9.0
    assert len(hub.seen) == asked
    assert any(seen.path.endswith("/queue/join") for seen in space.proxy.seen)

    with sdk.Client("alice/calc") as app:  # by Space id: resolved again through the Hub
        assert app.url == space.host
        assert app.predict(num1=3, operation="multiply", num2=7) == 21.0
    assert len(hub.seen) > asked

    other = hub.add_space("bob/calc-copy", server.url)  # another Space serving the same app
    with sdk.Client("bob/calc-copy") as app:
        assert app.url == other.host and app.space_id == "bob/calc-copy"
        assert app.predict(10, "subtract", 4) == 6.0
    with sdk.Client(server.url) as app:  # a plain URL: no Space, no Hub
        assert app.space_id is None
        assert app.predict(2, "divide", 4) == 0.5

    with Client("alice/calc") as generic:  # the runtime's own client by Space id
        assert generic.predict("/predict", 1, "add", 1) == 2.0


def test_async_client_by_space_id(hub: FakeHub, serve) -> None:
    server = serve("calc", "6.31.0")
    hub.add_space("alice/calc", server.url)

    async def run() -> float:
        async with AsyncClient("alice/calc") as app:
            result: float = await app.predict("/predict", 6, "multiply", 7)
            return result

    assert asyncio.run(run()) == 42.0


def test_async_client_create_resolves_off_the_event_loop(
    hub: FakeHub, serve, monkeypatch
) -> None:
    from gradio_codegen_runtime import hub as hub_mod

    server = serve("calc", "6.31.0")
    space = hub.add_space("alice/calc", server.url)
    resolved_in: list[int] = []
    original = hub_mod.resolve_space

    def recording(*args: object, **kwargs: object) -> str:
        resolved_in.append(threading.get_ident())
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(hub_mod, "resolve_space", recording)

    async def run() -> float:
        app = await AsyncClient.create("alice/calc", token=ALICE)
        async with app:
            assert app.url == space.host and app.space_id == "alice/calc"
            result: float = await app.predict("/predict", 6, "multiply", 7)
        return result

    assert asyncio.run(run()) == 42.0
    assert resolved_in and threading.get_ident() not in resolved_in  # not on the loop


def test_private_space(hub: FakeHub, serve, tmp_path: Path, monkeypatch) -> None:
    server = serve("calc", "6.31.0")
    space = hub.add_space("alice/secret", server.url, private=True)

    # Without a token the Hub answers 401, as for a Space that does not exist.
    with pytest.raises(AuthenticationError, match="private") as info:
        Client("alice/secret")
    assert info.value.status_code == 401
    assert cli(["alice/secret", "-o", str(tmp_path / "nope")]) == 4
    # Someone else's token: the Hub hides it (404).
    with pytest.raises(NotFoundError):
        Client("alice/secret", token=BOB)
    # The Space's host itself refuses without the owner's token.
    with Client(space.host) as anonymous, pytest.raises(NotFoundError):
        anonymous.predict("/predict", 1, "add", 1)

    out = tmp_path / "secret_sdk"
    assert cli(["alice/secret", "-o", str(out), "--token", ALICE]) == 0
    for path in out.rglob("*"):
        if path.is_file():
            assert ALICE not in path.read_text(errors="replace"), path
    sdk = import_fresh(out, "secret_sdk")
    with sdk.Client(token=ALICE) as app:
        assert ALICE not in repr(app)
        assert app.predict(2, "add", 2) == 4.0
    with sdk.Client() as app, pytest.raises(NotFoundError) as refused:
        app.predict(2, "add", 2)  # no token anywhere: the host refuses
    assert ALICE not in str(refused.value)
    monkeypatch.setenv("HF_TOKEN", ALICE)  # the saved token is used for the baked host
    with sdk.Client() as app:
        assert app.predict(2, "multiply", 3) == 6.0
    with sdk.Client("alice/secret") as app:  # and for the Hub and the host by Space id
        assert app.predict(1, "subtract", 3) == -2.0


def test_sleeping_space_is_woken_and_reported(hub: FakeHub, serve) -> None:
    server = serve("calc", "6.31.0")
    space = hub.add_space(
        "alice/sleepy", server.url, stages=["SLEEPING", "APP_STARTING", "APP_STARTING", "RUNNING"]
    )
    events: list[SpaceStatus] = []
    with Client("alice/sleepy", space_status=events.append, wake_timeout=60) as app:
        assert [e.stage for e in events] == ["SLEEPING", "APP_STARTING", "RUNNING"]
        assert all(e.space_id == "alice/sleepy" and e.message for e in events)
        assert "asleep" in events[0].message
        # The fake Hub keeps a sleeping Space asleep until its host is requested.
        assert space.proxy is not None and space.proxy.seen[0].path == "/config"
        assert app.predict("/predict", 3, "add", 4) == 7.0


def test_baked_space_is_checked_only_when_asked(hub: FakeHub, serve) -> None:
    server = serve("calc", "6.31.0")
    space = hub.add_space("alice/calc", server.url, stages=["BUILDING", "RUNNING"])

    class Baked(Client):  # what a generated SDK bakes in: the Space id and its host
        _DEFAULT_SRC = space.host
        _SPACE_ID = "alice/calc"

    Baked().close()
    assert hub.seen == []  # construction on the baked host stays offline
    events: list[SpaceStatus] = []
    with Baked(space_status=events.append) as app:
        assert [e.stage for e in events] == ["BUILDING", "RUNNING"]
        assert app.space_id == "alice/calc"
        assert app.predict("/predict", 1, "add", 2) == 3.0


def test_space_still_building_times_out(hub: FakeHub, serve) -> None:
    server = serve("calc", "6.31.0")
    hub.add_space("alice/slow", server.url, stages=["BUILDING"])
    events: list[SpaceStatus] = []
    with pytest.raises(SpaceError, match="still BUILDING") as info:
        Client("alice/slow", space_status=events.append, wake_timeout=0)
    assert info.value.stage == "BUILDING"
    assert [e.stage for e in events] == ["BUILDING"]


@pytest.mark.parametrize(
    "stage", ["BUILD_ERROR", "RUNTIME_ERROR", "CONFIG_ERROR", "NO_APP_FILE", "PAUSED"]
)
def test_broken_or_paused_space(hub: FakeHub, stage: str, tmp_path: Path) -> None:
    hub.add_space(
        "alice/broken", "http://127.0.0.1:9", stages=[stage],
        error_message="ModuleNotFoundError: No module named 'torch'",
    )
    with pytest.raises(SpaceError) as info:
        Client("alice/broken", token=ALICE)
    assert info.value.stage == stage
    assert ALICE not in str(info.value)
    if stage == "PAUSED":
        assert "paused" in str(info.value)
    else:
        assert "No module named 'torch'" in str(info.value)
    assert cli(["alice/broken", "-o", str(tmp_path / "out")]) == 5


def test_missing_space_and_bad_ids(hub: FakeHub) -> None:
    with pytest.raises(NotFoundError):
        Client("alice/nothing-here", token=ALICE)
    with pytest.raises(AuthenticationError):  # the Hub cannot tell missing from private
        Client("alice/nothing-here")
    with pytest.raises(ValueError, match="Space id"):
        Client("not a space id")


def test_unreachable_hub(hub: FakeHub, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{free_port()}")  # nothing listens
    with pytest.raises(APIConnectionError, match="Hub"):
        Client("alice/calc", token=ALICE)
    assert cli(["alice/calc", "-o", str(tmp_path / "out")]) == 3


def test_zerogpu_quota_error(hub: FakeHub, serve, gradio_version: str) -> None:
    server = serve("hub_zerogpu", gradio_version)
    hub.add_space("alice/zero", server.url)
    with Client("alice/zero") as app, pytest.raises(ZeroGPUQuotaError) as info:
        app.predict("/generate", "a cat")
    assert info.value.retry_after == 252.0  # "Try again in 0:04:12"
    assert "exceeded your GPU quota" in info.value.message
