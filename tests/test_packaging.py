"""The built wheels work on their own: console script, templates, generation; the
runtime wheel holds the runtime and nothing of the generator."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CALC_SCHEMA = {
    "format": 1, "host": "http://127.0.0.1:7860", "api_prefix": "/gradio_api",
    "protocol": "sse_v3", "gradio_version": "6.31.0", "source": "http://127.0.0.1:7860",
    "space_id": None, "max_file_size": None,
    "endpoints": [{
        "api_name": "predict", "fn_index": 0, "generator": False, "visibility": "public",
        "description": None, "queue": True, "oauth_token": None,
        "input_slots": [0], "output_slots": [0],
        "parameters": [{"name": "x", "label": "x", "component": "Number",
                        "schema": {"type": "number"}, "python_type": "float",
                        "description": None, "has_default": False, "default": None,
                        "example": 3, "props": {}}],
        "returns": [{"label": "y", "component": "Number", "schema": {"type": "number"},
                     "python_type": "float", "description": None, "props": {}}],
    }],
}


def test_wheel_has_templates_and_generates(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(wheels), str(ROOT), str(ROOT / "runtime")],
        check=True, capture_output=True,
    )
    (wheel,) = wheels.glob("gradio_codegen-*.whl")
    (runtime_wheel,) = wheels.glob("gradio_codegen_runtime-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "gradio_codegen/templates/package/_client.py.jinja" in names
    assert "gradio_codegen/py.typed" in names
    assert not any(n.startswith("gradio_codegen_runtime/") for n in names)
    runtime_names = zipfile.ZipFile(runtime_wheel).namelist()
    assert "gradio_codegen_runtime/__init__.py" in runtime_names
    assert "gradio_codegen_runtime/py.typed" in runtime_names
    assert not any(n.startswith("gradio_codegen/") for n in runtime_names)
    metadata = next(n for n in names if n.endswith("METADATA"))
    requires = [
        line for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:")
    ]
    assert any("gradio-codegen-runtime" in line for line in requires), requires
    entry = [n for n in names if n.endswith("entry_points.txt")]
    assert entry and "gradio-codegen = gradio_codegen.cli:main" in zipfile.ZipFile(
        wheel
    ).read(entry[0]).decode()

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
         str(site), str(wheel), str(runtime_wheel)],
        check=True, capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = (
        "import gradio_codegen, sys; "
        "assert gradio_codegen.__file__.startswith(sys.argv[1]), gradio_codegen.__file__; "
        "from gradio_codegen.cli import main; raise SystemExit(main(sys.argv[2:]))"
    )
    help_run = subprocess.run(
        [sys.executable, "-c", code, str(site), "--help"], env=env, capture_output=True, text=True
    )
    assert help_run.returncode == 0 and "gradio-codegen" in help_run.stdout
    import json

    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(CALC_SCHEMA))
    out = tmp_path / "out" / "tiny_sdk"
    gen = subprocess.run(
        [sys.executable, "-c", code, str(site), str(schema), "-o", str(out)],
        env=env, capture_output=True, text=True, cwd=tmp_path,
    )
    assert gen.returncode == 0, gen.stderr
    assert "def predict(" in (out / "_client.py").read_text()
