"""Fixtures for Hub features: a fake Hub reached through HF_ENDPOINT, isolated tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gradio_codegen_runtime import hub as hub_module
from tests.hub.fakehub import FakeHub

#: Made-up tokens: alice owns the Spaces under "alice/", bob owns nothing.
ALICE = "hf_alice_0123456789abcdefTESTTOKEN"
BOB = "hf_bob_0123456789abcdefTESTTOKEN"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHub]:
    """A fresh fake Hub; no token is saved or set unless a test does it."""
    import huggingface_hub.constants  # here, not at collection: other tests check imports

    fake = FakeHub({ALICE: "alice", BOB: "bob"})
    monkeypatch.setenv("HF_ENDPOINT", fake.url)
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "hf-home"
    home.mkdir()
    monkeypatch.setenv("HF_HOME", str(home))
    # huggingface_hub computed its token paths at import: point them at the empty home.
    monkeypatch.setattr(huggingface_hub.constants, "HF_TOKEN_PATH", str(home / "token"))
    monkeypatch.setattr(
        huggingface_hub.constants, "HF_STORED_TOKENS_PATH", str(home / "stored_tokens")
    )
    # Poll the fake Hub quickly: it changes stage per poll, not per second.
    monkeypatch.setattr(hub_module, "POLL_FIRST", 0.01)
    monkeypatch.setattr(hub_module, "POLL_MAX", 0.02)
    yield fake
    fake.close()


def save_token(token: str) -> None:
    """Save ``token`` the way ``hf auth login`` does, in the fixture's HF_HOME."""
    import huggingface_hub.constants

    Path(huggingface_hub.constants.HF_TOKEN_PATH).write_text(token)
