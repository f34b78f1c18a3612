"""End-to-end demo, no internet: start the bundled demo app (standing in for a Space),
generate its SDK, call it on the bundled sample file, print the result, stop the app.

Run by ``scripts/demo.sh`` after installing the project.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers.pool import start_server  # noqa: E402

VERSION = "6.31.0"


def main() -> int:
    build = ROOT / "build" / "demo"
    build.mkdir(parents=True, exist_ok=True)
    print(f"starting the demo app (gradio {VERSION}) on 127.0.0.1 ...", flush=True)
    server = start_server("whisper_demo", VERSION)
    try:
        print(f"  running at {server.url}")
        sdk_dir = build / "whisper_sdk"
        print(f"$ gradio-codegen {server.url} -o {sdk_dir.relative_to(ROOT)}", flush=True)
        subprocess.run(
            [sys.executable, "-m", "gradio_codegen", server.url, "-o", str(sdk_dir)], check=True
        )
        sys.path.insert(0, str(build))
        whisper_sdk = importlib.import_module("whisper_sdk")
        sample = ROOT / "demo" / "sample.wav"
        print(f">>> whisper_sdk.predict({str(sample.relative_to(ROOT))!r})", flush=True)
        text = whisper_sdk.predict(str(sample))
        print(text)
        whisper_sdk.default_client().close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
