"""Fixtures of the old-version tests: each Gradio of ``OLD_VERSIONS`` (not in the default
matrix) and the SDK generated from an app served by it, made once per session."""

from __future__ import annotations

from typing import Any

import pytest

from gradio_codegen.cli import main as cli

from tests.conftest import import_fresh
from tests.servers.envs import OLD_VERSIONS

_SDKS: dict[tuple[str, str, str, tuple[str, ...]], Any] = {}


@pytest.fixture(params=OLD_VERSIONS, ids=lambda v: f"gradio{v}")
def old_version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_sdk(serve: Any, old_version: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``make_sdk(app, *cli_args)`` -> the SDK generated from the live app (made once)."""

    def _make(app: str, *args: str) -> Any:
        server = serve(app, old_version)
        key = (app, old_version, server.url, args)
        if key not in _SDKS:
            name = f"{app}_{old_version.replace('.', '_')}"
            out = tmp_path_factory.mktemp("old") / name
            assert cli([server.url, "-o", str(out), *args]) == 0
            _SDKS[key] = import_fresh(out, name)
        return _SDKS[key]

    return _make
