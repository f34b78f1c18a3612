"""Shared fixtures: real Gradio servers (all three versions), SDK generation helpers."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers.envs import VERSIONS  # noqa: E402
from tests.servers.pool import Server, ServerPool  # noqa: E402

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

GRADIO_VERSIONS = VERSIONS  # ("6.31.0", "5.50.0", "4.44.1")
_USED: dict[str, list[Server]] = {}


@pytest.fixture(scope="session")
def servers() -> Iterator[ServerPool]:
    pool = ServerPool()
    yield pool
    pool.stop_all()


@pytest.fixture(params=GRADIO_VERSIONS, ids=lambda v: f"gradio{v}")
def gradio_version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def serve(servers: ServerPool, request: pytest.FixtureRequest) -> Any:
    """``serve(app, version)`` -> a running Server; its log is shown if the test fails."""

    def _serve(app: str, version: str) -> Server:
        server = servers.get(app, version)
        _USED.setdefault(request.node.nodeid, []).append(server)
        return server

    return _serve


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    used = _USED.pop(item.nodeid, []) if call.when == "teardown" or report.failed else []
    if report.failed:
        for server in used:
            report.sections.append(
                (f"gradio {server.version} server log ({server.app})", server.log()[-5000:])
            )


def import_fresh(package_dir: Path, name: str) -> Any:
    """Import a generated package from ``package_dir``'s parent under its own name."""
    parent = str(package_dir.parent)
    for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[mod]
    sys.path.insert(0, parent)
    try:
        importlib.invalidate_caches()
        return importlib.import_module(name)
    finally:
        sys.path.remove(parent)
