"""Fixtures for the reliability tests: the counting app, the fault proxy, leak checks."""

from __future__ import annotations

import os
import sys
import threading
import uuid
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from tests.reliability.proxy import Proxy, wait_until
from tests.servers.pool import Server

#: Versions the fault tests run against: the newest and the oldest supported.
FAULT_VERSIONS = ("6.31.0", "4.44.1")
#: Multiplier on the load figures of issue 7 (1.0 = 20 rounds x 500 jobs, 10,000 calls).
LOAD_SCALE = float(os.environ.get("GRADIO_CODEGEN_LOAD_SCALE", "0.2"))


def new_tag() -> str:
    return uuid.uuid4().hex[:12]


def executions(server: Server, endpoint: str, tag: str | None = None) -> int:
    """How many times the app started ``endpoint`` (with ``tag``), from its call log."""
    try:
        lines = (server.workdir / "calls.log").read_text().splitlines()
    except FileNotFoundError:
        return 0
    want = f"{endpoint} {tag}" if tag is not None else None
    return sum(
        1 for line in lines
        if (line == want if want is not None else line.split(" ", 1)[0] == endpoint)
    )


def release(server: Server, tag: str) -> None:
    """Create the flag file a blocking endpoint waits for."""
    (server.workdir / f"release-{tag}").touch()


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


class Resources:
    """File descriptors and threads of this process, to prove nothing leaks."""

    def __init__(self) -> None:
        self.fds = open_fds()
        self.threads = threading.active_count()

    def assert_released(self, proxy: Proxy | None = None) -> None:
        """Threads and fds are back to the snapshot; through ``proxy``, no connection
        is left open (stalled ones are held by the proxy itself and are dropped)."""
        if proxy is not None:
            if proxy.stalled.is_set():
                proxy.drop_all()
            assert proxy.wait_for(lambda: proxy.open_connections() == 0, 10), (
                f"{proxy.open_connections()} connection(s) still open"
            )
        assert wait_until(lambda: threading.active_count() <= self.threads, 10), (
            f"threads leaked: {threading.enumerate()}"
        )
        assert wait_until(lambda: open_fds() <= self.fds, 10), (
            f"file descriptors leaked: {open_fds()} open, {self.fds} before"
        )


@pytest.fixture(params=FAULT_VERSIONS, ids=lambda v: f"gradio{v}")
def fault_version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def jobs_server(serve: Callable[[str, str], Server], fault_version: str) -> Server:
    return serve("rel_jobs", fault_version)


@pytest.fixture
def proxy(jobs_server: Server) -> Iterator[Proxy]:
    p = Proxy(jobs_server.port)
    yield p
    p.close()


@pytest.fixture
def resources(proxy: Proxy) -> Resources:
    """Snapshot taken after the proxy started (its thread is not the client's)."""
    return Resources()



def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the load figures of this run (for the Reliability section of README.md)."""
    figures: dict[str, Any] = {}
    for name, module in list(sys.modules.items()):
        if name.endswith("reliability.test_load"):
            figures.update(getattr(module, "FIGURES", {}))
    if figures:
        terminalreporter.write_sep("-", "reliability load figures")
        for key, value in sorted(figures.items()):
            terminalreporter.write_line(f"{key}: {value}")
