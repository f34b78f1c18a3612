"""The CLI against real servers: generate, inspect, --check, --dist, errors, secrets."""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen.cli import main as cli
from gradio_codegen_runtime import RUNTIME_API, RuntimeVersionError
from gradio_codegen_runtime.spec import dump_spec, load_spec

from tests.conftest import import_fresh
from tests.generator.regen_examples import EXAMPLES
from tests.servers.pool import free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET = "hf_SECRETtokenNEVERwritten0123456789"


def _all_text(directory: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in sorted(directory.rglob("*"))
        if p.is_file()
    )


def test_generate_with_token_never_writes_it(
    serve: Any, gradio_version: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = serve("gen_components", gradio_version)
    monkeypatch.setenv("HF_TOKEN", SECRET + "_env")
    out = tmp_path / "gc_sdk"
    assert cli([server.url, "-o", str(out), "--token", SECRET, "--dist"]) == 0
    captured = capsys.readouterr()
    text = _all_text(out)
    assert SECRET not in text and SECRET not in captured.out + captured.err
    assert (out / "gc_sdk" / "py.typed").exists() and (out / "pyproject.toml").exists()
    # The live output equals the committed example, apart from host and name.
    spec = load_spec((out / "gc_sdk" / "schema.json").read_text())
    committed = EXAMPLES / f"gen_components_{gradio_version}"
    saved = load_spec(next(committed.glob("*/schema.json")).read_text())
    assert dump_spec(spec).replace(server.url, "http://127.0.0.1:7860") == dump_spec(saved)

    # --check: up to date, then drift with a readable diff.
    assert cli([server.url, "-o", str(out), "--dist", "--check"]) == 0
    client = out / "gc_sdk" / "_client.py"
    client.write_text(client.read_text().replace("def basics(", "def basics_old("))
    capsys.readouterr()
    assert cli([server.url, "-o", str(out), "--dist", "--check"]) == 1
    diff = capsys.readouterr().out
    assert "-def basics_old(" in diff and "+def basics(" in diff


def test_inspect_prints_typed_signatures(
    serve: Any, gradio_version: str, capsys: pytest.CaptureFixture[str]
) -> None:
    server = serve("gen_components", gradio_version)
    assert cli(["inspect", server.url]) == 0
    out = capsys.readouterr().out
    assert "def basics(text: str, count: int = 3, ratio: float = 2.5, flag: bool = True," in out
    assert 'choice: Literal["red", "green", "blue"] = "red"' in out
    assert "level: Literal[1, 2, 3] = 2" in out
    assert "def echo_files(single: FileInput, several: list[FileInput]) -> EchoFilesResult:" in out
    for name in ("class_", "endpoint_2nd_step", "größe", "text_stats", "text_stats_2", "respond"):
        assert f"def {name}(" in out
    assert "Range 0 to 10, step 0.5." in out


def test_unauthorized_app_gives_exit_4(serve: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    server = serve("gen_auth", "6.31.0")
    assert cli([server.url, "-o", str(tmp_path / "x")]) == 4
    err = capsys.readouterr().err
    assert "--auth" in err or "--token" in err
    assert not (tmp_path / "x").exists()
    assert cli([server.url, "-o", str(tmp_path / "y"), "--auth", "user:secret-pw"]) == 0
    assert "secret-pw" not in _all_text(tmp_path / "y")


def test_unreachable_app_gives_exit_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert cli([url, "-o", str(tmp_path / "x")]) == 3
    assert "gradio-codegen: error:" in capsys.readouterr().err


@pytest.fixture
def plain_http() -> Iterator[str]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()


def test_non_gradio_url_gives_exit_5(
    plain_http: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert cli([plain_http, "-o", str(tmp_path / "x")]) == 5
    assert "gradio-codegen: error:" in capsys.readouterr().err
    assert cli(["inspect", plain_http]) == 5


@pytest.mark.parametrize(
    "content", ["{not json", "[]", '{"format": 1}', '{"format": 99, "endpoints": []}',
                '{"format": 1, "host": "h", "protocol": "p", "gradio_version": "1", "endpoints": [{}]}'],
)
def test_malformed_schema_file_gives_exit_6(
    content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(content)
    assert cli([str(schema), "-o", str(tmp_path / "x")]) == 6
    err = capsys.readouterr().err
    assert err.startswith("gradio-codegen: error:") and "Traceback" not in err


def test_untyped_values_are_counted_in_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = json.loads(next((EXAMPLES / "calc_6.31.0").glob("*/schema.json")).read_text())
    raw["endpoints"][0]["parameters"][0]["schema"] = {}  # a Number: typed from the component
    raw["endpoints"][0]["parameters"][2]["schema"] = {}
    raw["endpoints"][0]["parameters"][2]["component"] = "MysteryWidget"
    raw["endpoints"][0]["returns"][0]["schema"] = {"description": "anything"}
    raw["endpoints"][0]["returns"][0]["component"] = "MysteryWidget"
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(raw))
    assert cli([str(schema), "-o", str(tmp_path / "calc_any")]) == 0
    err = capsys.readouterr().err
    assert "2 parameter(s)/return(s) have no usable schema and are typed JSONValue" in err
    client = (tmp_path / "calc_any" / "_client.py").read_text()
    assert "num1: float | None" in client and "num2: JSONValue" in client
    assert "-> JSONValue:" in client and "num1: Any" not in client


def test_incompatible_runtime_raises_helpful_error(tmp_path: Path) -> None:
    source = next((EXAMPLES / "calc_6.31.0").glob("calc_*"))
    target = tmp_path / "calc_future"
    shutil.copytree(source, target)
    client = target / "_client.py"
    text = client.read_text()
    declared = f"check_runtime_api({RUNTIME_API}, "
    assert declared in text
    client.write_text(text.replace(declared, "check_runtime_api(99, "))
    with pytest.raises(RuntimeVersionError) as info:
        import_fresh(target, "calc_future")
    message = str(info.value)
    assert "calc_v6_31_0" in message and "runtime API 99" in message
    assert "pip install" in message and "regenerate" in message


#: What a generated SDK may pull into a fresh environment: the runtime and what it
#: imports. The generator's own dependencies must never be among them.
MAX_SDK_DISTRIBUTIONS = 10
GENERATOR_ONLY = {"black", "jinja2", "datamodel-code-generator", "pydantic", "gradio-codegen"}


def test_dist_sdk_installs_only_the_runtime_and_calls_an_app(
    serve: Any, tmp_path: Path
) -> None:
    """A --dist SDK, pip-installed into a fresh venv with its dependencies resolved by
    pip, pulls only the small runtime distribution, and calls a real app."""
    server = serve("calc", "6.31.0")
    out = tmp_path / "proj"
    schema = next((EXAMPLES / "calc_6.31.0").glob("*/schema.json"))
    assert cli([str(schema), "-o", str(out), "--name", "calc_dist", "--dist"]) == 0
    project = (out / "pyproject.toml").read_text()
    assert re.search(r"calc-dist", project) and "gradio-codegen-runtime>=" in project
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    wheels = tmp_path / "wheels"
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels),
         str(ROOT / "runtime"), str(out)],
        check=True, capture_output=True,
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    installed = subprocess.run(
        [*pip, "--python", str(py), "install", "--find-links", str(wheels), "calc-dist"],
        capture_output=True, text=True,
    )
    assert installed.returncode == 0, installed.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", str(py),
         "list", "--format", "json"],
        check=True, capture_output=True, text=True,
    )
    names = {d["name"].lower().replace("_", "-") for d in json.loads(listed.stdout)}
    names.discard("calc-dist")
    assert "gradio-codegen-runtime" in names, names
    assert len(names) <= MAX_SDK_DISTRIBUTIONS, sorted(names)
    assert not names & GENERATOR_ONLY, sorted(names)
    check = subprocess.run(
        [str(py), "-c",
         "import sys, calc_dist; print(calc_dist.__file__); "
         "print(sorted(m for m in sys.modules if m.startswith('gradio_codegen') "
         "and not m.startswith('gradio_codegen_runtime'))); "
         "print(calc_dist.Client(sys.argv[1]).predict(4, 'add', 5))",
         server.url],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert check.returncode == 0, check.stderr
    lines = check.stdout.splitlines()
    assert lines[0].startswith(str(venv)), lines
    assert lines[1] == "[]" and float(lines[2]) == 9.0, lines
