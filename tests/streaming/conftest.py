"""Fixtures for streaming: SDKs generated from the streaming test apps, on the Gradio
versions that have ``.stream()`` events and streamed media (5.x and 6.x)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gradio_codegen.cli import main as cli
from tests.conftest import import_fresh

STREAM_VERSIONS = ("6.31.0", "5.50.0")


@pytest.fixture(params=STREAM_VERSIONS, ids=lambda v: f"gradio{v}")
def stream_version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _generate(serve: Any, app: str, version: str, root: Path) -> tuple[Any, str]:
    server = serve(app, version)
    name = f"{app}_sdk_{version.replace('.', '_')}"
    if not (root / name).is_dir():
        assert cli([server.url, "-o", str(root / name)]) == 0
    return import_fresh(root / name, name), server.url


@pytest.fixture
def stream_in(serve: Any, stream_version: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """(generated SDK module of ``tests/apps/stream_in.py``, its server's URL)."""
    return _generate(serve, "stream_in", stream_version, tmp_path_factory.getbasetemp())


@pytest.fixture
def stream_out(serve: Any, stream_version: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """(generated SDK module of ``tests/apps/stream_out.py``, its server's URL)."""
    return _generate(serve, "stream_out", stream_version, tmp_path_factory.getbasetemp())
