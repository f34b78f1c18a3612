"""Fixtures for the runtime tests: the shared apps and an HTTP transport that records
every request and can inject faults in front of a real server."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest


@pytest.fixture
def calls_url(serve: Any, gradio_version: str) -> str:
    """Base URL of ``tests/apps/rt_calls.py`` on the parametrized Gradio version."""
    return str(serve("rt_calls", gradio_version).url)


@pytest.fixture
def flag(tmp_path: Path) -> Callable[[str], Path]:
    """``flag(name)`` -> a path the blocking endpoint waits for; created on teardown so
    no server thread stays blocked after a test."""
    made: list[Path] = []

    def _flag(name: str) -> Path:
        path = tmp_path / f"flag-{name}"
        made.append(path)
        return path

    yield _flag
    for path in made:
        path.touch()


Fault = Callable[[httpx.Request], "httpx.Response | None"]


@dataclass
class Recorder(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Forwards to a real server, records each request that reached it, and applies
    queued faults (``fail(path_suffix, fault)``) to the next matching requests."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    attempts: list[tuple[str, str]] = field(default_factory=list)
    faults: list[tuple[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sync: httpx.HTTPTransport = field(default_factory=httpx.HTTPTransport)
    _async: httpx.AsyncHTTPTransport = field(default_factory=httpx.AsyncHTTPTransport)

    def fail(self, suffix: str, fault: Any) -> None:
        """``fault``: "connect" (refused before sending), "read" (sent, then the answer
        is lost), or an ``httpx.Response`` returned instead of forwarding."""
        with self._lock:
            self.faults.append((suffix, fault))

    def paths(self, suffix: str) -> list[str]:
        with self._lock:
            return [p for _, p in self.sent if p.endswith(suffix)]

    def tried(self, suffix: str) -> int:
        """Requests to ``suffix`` the client attempted, faulted or not."""
        with self._lock:
            return sum(1 for _, p in self.attempts if p.endswith(suffix))

    def _fault_for(self, request: httpx.Request) -> Any:
        with self._lock:
            self.attempts.append((request.method, request.url.path))
            for i, (suffix, fault) in enumerate(self.faults):
                if request.url.path.endswith(suffix):
                    del self.faults[i]
                    return fault
        return None

    def _record(self, request: httpx.Request) -> None:
        with self._lock:
            self.sent.append((request.method, request.url.path))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = self._fault_for(request)
        if fault == "connect":
            raise httpx.ConnectError("injected: connection refused", request=request)
        if isinstance(fault, httpx.Response):
            return fault
        self._record(request)
        response = self._sync.handle_request(request)
        if fault == "read":
            response.read()
            response.close()
            raise httpx.ReadError("injected: connection lost", request=request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        fault = self._fault_for(request)
        if fault == "connect":
            raise httpx.ConnectError("injected: connection refused", request=request)
        if isinstance(fault, httpx.Response):
            return fault
        self._record(request)
        response = await self._async.handle_async_request(request)
        if fault == "read":
            await response.aread()
            await response.aclose()
            raise httpx.ReadError("injected: connection lost", request=request)
        return response

    def close(self) -> None:
        self._sync.close()

    async def aclose(self) -> None:
        await self._async.aclose()
