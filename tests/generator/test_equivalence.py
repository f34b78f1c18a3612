"""The generated SDK returns what gradio_client returns, endpoint by endpoint.

For each test app on each Gradio version, every call in ``calls.APP_CALLS`` goes once
through the SDK generated from the live server and once through gradio_client, run in
that server's own virtual environment (where the matching gradio_client is installed).
Files are compared by content; where gradio_client returns a gr.update(...) dict, the
SDK's documented answer is the value the update sets.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import wave
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen.cli import main as cli
from gradio_codegen_runtime import FileRef

from tests.conftest import import_fresh
from tests.generator.calls import APP_CALLS, FILES, Call
from tests.servers import envs

GC_SCRIPT = r"""
import hashlib, json, os, sys
from gradio_client import Client, handle_file

url, calls = sys.argv[1], json.loads(sys.stdin.read())

def inflate(value):
    if isinstance(value, dict) and set(value) == {"__file__"}:
        return handle_file(value["__file__"])
    if isinstance(value, list):
        return [inflate(v) for v in value]
    return value

def digest(value, top=True):
    # gradio_client gives a gr.update(...) output as the raw update dict; the SDK gives
    # the value it sets (README, "Components an event changes").
    if top and isinstance(value, dict) and str(value.get("__type__", "")).endswith("update"):
        return digest(value.get("value"), False)
    if isinstance(value, str) and os.path.isfile(value) and os.path.isabs(value):
        with open(value, "rb") as f:
            return {"sha256": hashlib.sha256(f.read()).hexdigest()}
    if isinstance(value, tuple):  # several outputs: each may be an update
        return [digest(v, top) for v in value]
    if isinstance(value, list):
        return [digest(v, False) for v in value]
    if isinstance(value, dict):
        return {k: digest(v, False) for k, v in value.items()}
    return value

client = Client(url, verbose=False)
out = []
for api_name, args in calls:
    out.append(digest(client.predict(*inflate(args), api_name=api_name)))
print(json.dumps(out))
"""


def _files(tmp_path: Path) -> dict[str, str]:
    txt = tmp_path / "a.txt"
    txt.write_text("hello file\n")
    txt2 = tmp_path / "b.txt"
    txt2.write_bytes(b"second \x00\xff file")
    wav = tmp_path / "a.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join(i.to_bytes(2, "little", signed=True) for i in range(-400, 400)))
    paths = {"TXT": str(txt), "TXT2": str(txt2), "WAV": str(wav)}
    assert set(paths) == set(FILES)
    return paths


def _args(call: Call, bind: dict[str, Any]) -> list[Any]:
    return list(eval(f"({call.args},)", {"__builtins__": {}}, bind)) if call.args else []


def _digest(value: Any) -> Any:
    if isinstance(value, FileRef):
        return {"sha256": hashlib.sha256(value.read_bytes()).hexdigest()}
    if isinstance(value, (list, tuple)):
        return [_digest(v) for v in value]
    if isinstance(value, dict):
        return {k: _digest(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("app", sorted(APP_CALLS))
def test_sdk_matches_gradio_client(
    app: str, serve, gradio_version: str, tmp_path: Path
) -> None:
    server = serve(app, gradio_version)
    paths = _files(tmp_path)
    name = f"eq_{app}_{gradio_version.replace('.', '_')}"
    assert cli([server.url, "-o", str(tmp_path / name)]) == 0
    sdk = import_fresh(tmp_path / name, name)

    calls = APP_CALLS[app]
    ours: list[Any] = []
    with sdk.Client() as client:
        for call in calls:
            ours.append(_digest(getattr(client, call.method)(*_args(call, paths))))

    wire = {k: {"__file__": v} for k, v in paths.items()}
    payload = json.dumps([[c.api_name, _args(c, wire)] for c in calls])
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
           "GRADIO_ANALYTICS_ENABLED": "False"}
    theirs = subprocess.run(
        [str(envs.env_python(gradio_version)), "-c", GC_SCRIPT, server.url],
        input=payload, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert theirs.returncode == 0, theirs.stderr[-3000:]
    expected = json.loads(theirs.stdout.strip().splitlines()[-1])
    for call, got, want in zip(calls, ours, expected, strict=True):
        assert json.loads(json.dumps(got)) == want, f"{call.method}{call.args!r}"
