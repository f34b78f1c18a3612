"""generated_examples/: byte-stable regeneration, determinism, mypy --strict and pyright.

Every committed example is regenerated from its own schema.json (no network) and must
match byte for byte; all of them, plus a usage module per example that calls every
endpoint four ways, are type-checked in one mypy and one pyright run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import subprocess
import sys
from pathlib import Path

import pytest

from tests.generator.calls import TYPED_CALLS, usage_source
from tests.generator.regen_examples import (
    APPS,
    EXAMPLES,
    ROOT,
    example_dirs,
    regenerate,
    versions_of,
)

BIN = Path(sys.executable).parent


def _app_of(package_dir: Path) -> str:
    return package_dir.parent.name.rsplit("_", 1)[0]


def test_every_app_and_version_has_an_example() -> None:
    found = {p.parent.name for p in example_dirs()}
    assert found == {f"{app}_{v}" for app in APPS for v in versions_of(app)}


@pytest.mark.parametrize("package_dir", example_dirs(), ids=lambda p: p.parent.name)
def test_example_regenerates_byte_for_byte(package_dir: Path) -> None:
    expected = regenerate(package_dir)
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in package_dir.iterdir() if p.is_file()}
    assert sorted(on_disk) == sorted(expected)
    for name, text in expected.items():
        assert on_disk[name] == text, f"{package_dir.name}/{name} is stale: run the regen script"


def test_examples_are_host_independent() -> None:
    machine_paths = {str(ROOT), tempfile.gettempdir(), str(Path.home())}
    for package_dir in example_dirs():
        for path in package_dir.iterdir():
            if not path.is_file():  # e.g. __pycache__ after importing an example
                continue
            text = path.read_text(encoding="utf-8")
            for local in machine_paths:
                assert local not in text, (path, local)
            assert not re.search(r"127\.0\.0\.1:(?!7860)\d+", text), path


_HASH_SCRIPT = """
import hashlib, sys
from pathlib import Path
from tests.generator.regen_examples import regenerate
h = hashlib.sha256()
for d in sys.argv[1:]:
    for name, text in sorted(regenerate(Path(d)).items()):
        h.update(name.encode() + text.encode())
print(h.hexdigest())
"""


def test_output_is_identical_across_hash_seeds() -> None:
    dirs = [str(d) for d in example_dirs() if d.parent.name.startswith("gen_components")]
    digests = set()
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _HASH_SCRIPT, *dirs], capture_output=True, text=True,
            env=env, cwd=EXAMPLES.parent, check=True,
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


BAD_CALLS = """\
import {pkg}
{pkg}.basics("hi", 3, 2.5, True, "purple")
{pkg}.basics("hi", "three")
{pkg}.basics("hi", 3, 2.5, True, "red", "any size", ["d"])
{pkg}.text_stats(42)
{pkg}.no_such_endpoint()
"""


def _pyright(workdir: Path) -> subprocess.CompletedProcess[str]:
    (workdir / "pyrightconfig.json").write_text(
        json.dumps({"typeCheckingMode": "strict", "pythonVersion": "3.10",
                    "reportMissingModuleSource": False})
    )
    return subprocess.run(
        [str(BIN / "pyright"), "--pythonpath", sys.executable, "--outputjson"],
        capture_output=True, text=True, cwd=workdir,
    )


def test_examples_pass_mypy_strict_and_pyright_strict(tmp_path: Path) -> None:
    checked: list[str] = []
    for package_dir in example_dirs():
        shutil.copytree(package_dir, tmp_path / package_dir.name)
        app = _app_of(package_dir)
        assert app in TYPED_CALLS
        usage = tmp_path / f"use_{package_dir.name}.py"
        usage.write_text(usage_source(package_dir.name, app))
        checked += [package_dir.name, usage.name]
    gc = next(d.name for d in example_dirs() if d.name.startswith("gen_components_v6"))
    (tmp_path / "bad_calls.py").write_text(BAD_CALLS.format(pkg=gc))

    good = [c for c in checked]
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *good],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr

    bad = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "bad_calls.py"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    flagged = {int(m) for m in re.findall(r"bad_calls\.py:(\d+): error", bad.stdout)}
    assert flagged == {2, 3, 4, 5, 6}, bad.stdout

    result = _pyright(tmp_path)
    report = json.loads(result.stdout)
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]
    good_errors = [d for d in errors if not d["file"].endswith("bad_calls.py")]
    assert not good_errors, json.dumps(good_errors[:10], indent=1)
    bad_lines = {d["range"]["start"]["line"] + 1 for d in errors if d["file"].endswith("bad_calls.py")}
    assert {2, 3, 4, 5, 6} <= bad_lines
