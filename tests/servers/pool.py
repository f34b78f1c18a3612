"""Start real Gradio servers for the tests and stop them afterwards.

Each server runs one app from ``tests/apps/`` under one Gradio version, in that
version's own virtual environment, on a free 127.0.0.1 port, with analytics off and
its working directory in a temporary folder (4.x writes ``flagged/`` next to apps).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from . import envs

APPS_DIR = Path(__file__).resolve().parent.parent / "apps"
#: Apps whose server needs ffmpeg/ffprobe on its PATH (streamed media outputs).
MEDIA_APPS = frozenset({"stream_out"})
SERVE = Path(__file__).resolve().parent / "serve.py"
START_TIMEOUT = 120.0


class ServerError(RuntimeError):
    """A test server could not be started."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running test app."""

    app: str
    version: str
    port: int
    process: subprocess.Popen[bytes]
    workdir: Path
    log_path: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def prefix(self) -> str:
        return "" if self.version.startswith(("3.", "4.")) else "/gradio_api"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-20000:]
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate ``process`` (kill it if it lingers) and reap it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def start_server(
    app: str, version: str, *, port: int | None = None, env: dict[str, str] | None = None,
    workdir: Path | None = None,
) -> Server:
    """Start ``tests/apps/<app>.py`` under gradio ``version`` and wait until it answers."""
    python = envs.env_python(version)
    if not envs.is_ready(version):
        raise ServerError(
            f"the gradio {version} server environment is missing: run "
            f"'python tests/servers/envs.py {version}' (the test command does this)"
        )
    app_file = APPS_DIR / f"{app}.py"
    if not app_file.is_file():
        raise ServerError(f"no test app {app_file}")
    if app in MEDIA_APPS:
        if not envs.media_ready():
            raise ServerError(
                "ffmpeg for streamed media is missing: run 'python tests/servers/envs.py' "
                "(the test command does this)"
            )
        path = os.environ.get("PATH", os.defpath)
        env = {"PATH": f"{envs.media_bin()}{os.pathsep}{path}", **(env or {})}
    workdir = workdir or Path(tempfile.mkdtemp(prefix=f"gradio-{app}-{version}-"))
    port = port or free_port()
    log_path = workdir / "server.log"
    child_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GRADIO_", "HF_"))},
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "GRADIO_TEMP_DIR": str(workdir / "tmp"),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [str(python), str(SERVE), str(app_file), str(port)],
            cwd=workdir, env=child_env, stdout=log, stderr=subprocess.STDOUT,
        )
    server = Server(app, version, port, process, workdir, log_path, dict(env or {}))
    wait_ready(server)
    return server


def wait_ready(server: Server, timeout: float = START_TIMEOUT) -> None:
    """Poll ``/config`` until the app answers (401 counts: the app is up)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if not server.alive():
                raise ServerError(
                    f"{server.app} on gradio {server.version} exited:\n{server.log()}"
                )
            try:
                response = client.get(server.url + "/config")
                if response.status_code in (200, 401):
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)  # readiness polling with a deadline, not synchronisation
    server.stop()
    raise ServerError(f"{server.app} on gradio {server.version} did not start:\n{server.log()}")


class ServerPool:
    """Servers shared by a test session, started on first use."""

    def __init__(self) -> None:
        self._servers: dict[tuple[str, str], Server] = {}

    def get(self, app: str, version: str) -> Server:
        key = (app, version)
        server = self._servers.get(key)
        if server is None or not server.alive():
            server = start_server(app, version)
            self._servers[key] = server
        return server

    def all(self) -> list[Server]:
        return list(self._servers.values())

    def stop_all(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()


if __name__ == "__main__":  # manual use: python -m tests.servers.pool APP VERSION
    srv = start_server(sys.argv[1], sys.argv[2])
    print(srv.url, flush=True)
    try:
        srv.process.wait()
    except KeyboardInterrupt:
        srv.stop()
