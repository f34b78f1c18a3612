"""Start the benchmark apps on real Gradio servers, reusing the test infrastructure."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.servers import envs, pool

APPS_DIR = Path(__file__).resolve().parent / "apps"
GRADIO_VERSION = "6.31.0"


def gradio_python(version: str = GRADIO_VERSION) -> Path:
    """The interpreter of the cached Gradio environment (built on demand)."""
    return envs.ensure_env(version)


def stop_app(server: pool.Server) -> None:
    """Stop an app started by ``start_app`` and remove its working directory."""
    server.stop()
    shutil.rmtree(server.workdir, ignore_errors=True)


def start_app(
    app: str, version: str = GRADIO_VERSION, *, port: int | None = None,
    env: dict[str, str] | None = None,
) -> pool.Server:
    """Serve ``benchmarks/apps/<app>.py`` on 127.0.0.1 (a free port unless ``port`` is
    given: a restarted app keeps the address the SDK was generated for) and wait for it.
    ``env``: extra environment of the app (its parameters)."""
    python = gradio_python(version)
    app_file = APPS_DIR / f"{app}.py"
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{app}-"))
    port = port or pool.free_port()
    log_path = workdir / "server.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GRADIO_", "HF_"))},
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "GRADIO_TEMP_DIR": str(workdir / "tmp"),
        "TMPDIR": str(workdir),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [str(python), str(pool.SERVE), str(app_file), str(port)],
            cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    server = pool.Server(app, version, port, process, workdir, log_path)
    pool.wait_ready(server)
    return server
