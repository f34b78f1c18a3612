"""Fixtures for real networks: a real forward proxy (proxy.py from PyPI) in its own
process, a TLS front with a trustme CA before a real app, and a clean proxy environment."""

from __future__ import annotations

import re
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import trustme

from tests.reliability.proxy import Proxy, wait_until
from tests.servers.pool import Server, stop_process

#: Every variable the runtime (or urllib) reads for proxies and CA bundles.
NET_VARS = (
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
    "all_proxy", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUEST_METHOD",
)
#: Proxy credentials the tests use; the secrets tests look for them in every output.
PROXY_USER, PROXY_PASSWORD = "proxyuser", "PROXYsecret0042"
_ACCESS = re.compile(r"server\.access_log:\d+ - [\d.:]+ - (\S+) (\S+) - (.*)$")


@dataclass(frozen=True)
class Logged:
    """One line of the proxy's access log: a request it forwarded, or a CONNECT tunnel."""

    method: str
    target: str  # host:port/path for plain HTTP, host:port for CONNECT
    outcome: str


class ForwardProxy:
    """proxy.py (https://pypi.org/project/proxy.py) listening on a free loopback port."""

    def __init__(self, workdir: Path, auth: tuple[str, str] | None = None) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / "proxy.log"
        port_file = workdir / "proxy.port"
        args = [
            sys.executable, "-m", "proxy", "--hostname", "127.0.0.1", "--port", "0",
            "--port-file", str(port_file), "--num-acceptors", "1", "--log-level", "INFO",
            "--log-file", str(self.log_path),
        ]
        if auth is not None:
            args += ["--basic-auth", f"{auth[0]}:{auth[1]}"]
        self.auth = auth
        self.process = subprocess.Popen(
            args, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        ready = wait_until(lambda: port_file.exists() and port_file.read_text().strip() != "", 30)
        if not ready or self.process.poll() is not None:
            self.close()
            raise RuntimeError(f"proxy.py did not start: {self.log()[-2000:]}")
        self.port = int(port_file.read_text().strip())

    @property
    def url(self) -> str:
        """The proxy's URL, with its credentials when it requires them."""
        if self.auth is None:
            return f"http://127.0.0.1:{self.port}"
        return f"http://{self.auth[0]}:{self.auth[1]}@127.0.0.1:{self.port}"

    @property
    def bare_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def logged(self) -> list[Logged]:
        """The access log so far (proxy.py writes a line when a connection ends)."""
        out = []
        for line in self.log().splitlines():
            match = _ACCESS.search(line)
            if match:
                out.append(Logged(*match.groups()))
        return out

    def close(self) -> None:
        stop_process(self.process)


@pytest.fixture(autouse=True)
def clean_net_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy or CA variable from the machine reaches a test unless it sets one."""
    for name in NET_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def forward_proxy(tmp_path: Path) -> Iterator[Callable[..., ForwardProxy]]:
    """``forward_proxy(auth=None)`` -> a running proxy.py; stopped after the test."""
    started: list[ForwardProxy] = []

    def start(auth: tuple[str, str] | None = None) -> ForwardProxy:
        proxy = ForwardProxy(tmp_path / f"proxy{len(started)}", auth)
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.close()


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def front(serve: Callable[[str, str], Server]) -> Iterator[Proxy]:
    """A recording proxy (plain HTTP) right before a real 6.31 app: what reached the app."""
    p = Proxy(serve("rt_calls", "6.31.0").port)
    yield p
    p.close()


@pytest.fixture
def tls_front(serve: Callable[[str, str], Server], authority: trustme.CA) -> Iterator[Proxy]:
    """The same app behind TLS with a certificate of the trustme CA for 127.0.0.1."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    p = Proxy(serve("rt_calls", "6.31.0").port, tls=context)
    yield p
    p.close()


def accepted(front: Proxy) -> int:
    """Connections the front has accepted so far."""
    with front._cond:
        return front._next_id
