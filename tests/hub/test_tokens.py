"""Where a Hugging Face token goes: to the Hub and to the Space's host, never elsewhere,
and never into generated files, reprs, errors or logs."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from gradio_codegen.cli import main as cli
from gradio_codegen_runtime import Client, GradioError
from tests.conftest import import_fresh
from tests.hub.conftest import ALICE, save_token
from tests.hub.fakehub import FakeHub, RecordingProxy


@pytest.mark.parametrize("how", ["saved-login", "env", "argument"])
def test_token_reaches_hub_and_space_host_only(
    hub: FakeHub, serve, tmp_path: Path, monkeypatch, caplog, how: str
) -> None:
    caplog.set_level(logging.DEBUG)
    server = serve("calc", "6.31.0")
    space = hub.add_space("alice/private-calc", server.url, private=True)
    other = RecordingProxy(server.url)  # some other host the user also calls
    try:
        if how == "saved-login":
            save_token(ALICE)
        elif how == "env":
            monkeypatch.setenv("HF_TOKEN", ALICE)
        extra = ["--token", ALICE] if how == "argument" else []
        kwargs = {"token": ALICE} if how == "argument" else {}

        out = tmp_path / "tok_sdk"
        assert cli(["alice/private-calc", "-o", str(out), *extra]) == 0
        sdk = import_fresh(out, "tok_sdk")
        with sdk.Client(**kwargs) as app:
            assert app.predict(1, "add", 2) == 3.0
            assert ALICE not in repr(app)
        with sdk.Client("alice/private-calc", **kwargs) as app:
            assert app.predict(2, "add", 2) == 4.0
        with sdk.Client(other.url, **kwargs) as elsewhere:
            assert elsewhere.predict(3, "add", 2) == 5.0
        with Client(other.url, **kwargs) as elsewhere:
            assert elsewhere.predict("/predict", 4, "add", 2) == 6.0
            with pytest.raises(GradioError) as info:
                elsewhere.predict("/no-such-endpoint")
            assert ALICE not in str(info.value)

        # The Hub got it as Authorization (huggingface_hub's header) on every call.
        assert hub.seen and all(s.authorization == f"Bearer {ALICE}" for s in hub.seen)
        # The Space's host got it as x-hf-authorization on every request, never as
        # Authorization (that header belongs to the app).
        assert space.proxy is not None and space.proxy.seen
        assert all(s.x_hf_authorization == f"Bearer {ALICE}" for s in space.proxy.seen)
        assert not any(s.authorization for s in space.proxy.seen)
        # The other host got requests, but never the token.
        assert len(other.seen) >= 4
        assert not any(s.carries(ALICE) for s in other.seen)

        for path in out.rglob("*"):
            assert not path.is_file() or ALICE not in path.read_text(errors="replace"), path
        assert ALICE not in caplog.text
    finally:
        other.close()


def test_no_token_sent_when_none_is_known(hub: FakeHub, serve) -> None:
    server = serve("calc", "6.31.0")
    space = hub.add_space("alice/calc", server.url)
    with Client("alice/calc") as app:
        assert app.predict("/predict", 1, "add", 1) == 2.0
    assert not any(s.authorization or s.x_hf_authorization for s in hub.seen)
    assert space.proxy is not None
    assert not any(s.authorization or s.x_hf_authorization for s in space.proxy.seen)


def test_baked_host_outside_the_hub_gets_no_token(
    hub: FakeHub, serve, tmp_path: Path, monkeypatch
) -> None:
    """On the public Hub Spaces live on *.hf.space: a generated SDK whose baked Space
    host is elsewhere (an edited schema) must not hand it the token."""
    server = serve("calc", "6.31.0")
    space = hub.add_space("alice/private-calc", server.url, private=True)
    out = tmp_path / "baked_sdk"
    assert cli(["alice/private-calc", "-o", str(out), "--token", ALICE]) == 0
    sdk = import_fresh(out, "baked_sdk")
    monkeypatch.delenv("HF_ENDPOINT")  # the public Hub again
    assert space.proxy is not None
    seen = len(space.proxy.seen)
    with sdk.Client(token=ALICE) as app, pytest.raises(GradioError):
        app.predict(1, "add", 2)
    assert len(space.proxy.seen) > seen
    assert not any(s.carries(ALICE) for s in space.proxy.seen[seen:])


def test_generated_sdk_never_imports_huggingface_hub(
    hub: FakeHub, serve, tmp_path: Path
) -> None:
    server = serve("calc", "6.31.0")
    hub.add_space("alice/calc", server.url)
    out = tmp_path / "lazy_sdk"
    assert cli(["alice/calc", "-o", str(out)]) == 0
    script = (
        "import sys\n"
        "import lazy_sdk\n"
        "with lazy_sdk.Client() as app:\n"
        "    assert app.predict(2, 'add', 2) == 4.0\n"
        "assert 'huggingface_hub' not in sys.modules, 'huggingface_hub was imported'\n"
    )
    asked = len(hub.seen)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert len(hub.seen) == asked  # the baked host: the Hub is not asked
