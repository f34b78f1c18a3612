"""The first vertical slice: calculator app -> typed SDK -> real calls, all versions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gradio_codegen.cli import main as cli

from tests.conftest import import_fresh


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def test_calc_sdk_end_to_end(serve, gradio_version: str, tmp_path: Path) -> None:
    server = serve("calc", gradio_version)
    name = "calc_sdk_" + gradio_version.replace(".", "_")
    out = tmp_path / name
    assert cli([server.url, "-o", str(out)]) == 0
    sdk = import_fresh(out, name)
    result = sdk.predict(4, "add", 5)
    assert result == 9.0 and isinstance(result, float)
    with sdk.Client() as app:
        assert app.predict(num1=3, operation="multiply", num2=7) == 21.0
        job = app.submit.predict(10, "subtract", 4)
        assert job.result(timeout=60) == 6.0
        assert job.status().stage == "complete"

    # Regenerating from the saved schema needs no network and gives the same bytes.
    again = tmp_path / "again" / name
    assert cli([str(out / "schema.json"), "-o", str(again)]) == 0
    assert _files(again) == _files(out)


def test_calc_sdk_signature_and_mypy(serve, tmp_path: Path) -> None:
    server = serve("calc", "6.31.0")
    out = tmp_path / "calc_sdk"
    assert cli([server.url, "-o", str(out)]) == 0
    client_src = (out / "_client.py").read_text()
    assert (
        'def predict(\n    num1: float,\n    operation: Literal["add", "subtract", "multiply", '
        '"divide"],\n    num2: float,\n) -> float:'
    ) in client_src
    usage = tmp_path / "usage.py"
    usage.write_text(
        "import calc_sdk\n"
        "x: float = calc_sdk.predict(4, 'add', 5)\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(out), str(usage)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    bad = tmp_path / "bad.py"
    bad.write_text("import calc_sdk\ncalc_sdk.predict(4, 'pow', 5)\ncalc_sdk.predict('4', 'add', 5)\n")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(bad)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "bad.py:2" in result.stdout and "bad.py:3" in result.stdout
