"""The command line of a generated SDK (``python -m <package>``), run as a subprocess
against a real app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradio_codegen.cli import main as cli
from tests.servers.pool import Server, ServerPool


@pytest.fixture(scope="module")
def app(servers: ServerPool) -> Server:
    return servers.get("batch_app", "6.31.0")


@pytest.fixture(scope="module")
def sdk_cli(app: Server, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("cli") / "batch_cli_sdk"
    assert cli([app.url, "-o", str(out)]) == 0
    env = {**os.environ, "PYTHONPATH": str(out.parent), "BATCH_CLI_SDK_URL": app.url}

    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "batch_cli_sdk", "--url", app.url, *args],
            capture_output=True, text=True, timeout=120, env=env, cwd=cwd,
        )

    return run


def test_help_lists_endpoints_and_parameters(sdk_cli) -> None:  # type: ignore[no-untyped-def]
    top = sdk_cli("--help")
    assert top.returncode == 0, top.stderr
    for name in ("square", "hold", "save"):
        assert name in top.stdout
    one = sdk_cli("save", "--help")
    assert one.returncode == 0, one.stderr
    assert "--text TEXT" in one.stdout and "--n NUMBER" in one.stdout
    assert "default: 2" in one.stdout and "required" in one.stdout
    assert "--map INPUTS.jsonl" in one.stdout and "--checkpoint PATH" in one.stdout


def test_a_call_prints_json_and_saves_files(sdk_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    done = sdk_cli("square", "--x", "3")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == 9.0
    saved = sdk_cli("--output-dir", str(tmp_path / "out"), "save", "--text", "ab", "--n", "3")
    assert saved.returncode == 0, saved.stderr
    result = json.loads(saved.stdout)
    assert result["upper"] == "AB"
    path = Path(result["file"])
    assert path.parent == (tmp_path / "out").resolve() and path.read_text() == "ababab"
    bad = sdk_cli("square", "--x", "-1")
    assert bad.returncode == 1 and "AppError" in bad.stderr and "negative input" in bad.stderr
    missing = sdk_cli("square")
    assert missing.returncode == 1 and "missing required argument 'x'" in missing.stderr


def test_map_from_a_jsonl_file_with_a_checkpoint(sdk_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text("".join(json.dumps(v) + "\n" for v in [1, {"x": 2}, [3], -4, 5]))
    checkpoint = tmp_path / "run.jsonl"
    first = sdk_cli("square", "--map", str(inputs), "--checkpoint", str(checkpoint))
    assert first.returncode == 1, first.stderr  # one input failed
    lines = [json.loads(line) for line in first.stdout.splitlines()]
    assert [line["index"] for line in lines] == [0, 1, 2, 3, 4]
    assert [line.get("value") for line in lines] == [1.0, 4.0, 9.0, None, 25.0]
    assert "negative input" in lines[3]["error"]
    assert "5/5" in first.stderr  # the progress bar
    again = sdk_cli("square", "--map", str(inputs), "--checkpoint", str(checkpoint))
    assert again.stdout == first.stdout
    assert len(checkpoint.read_text().splitlines()) == 6  # header + 5: nothing ran again
