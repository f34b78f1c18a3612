"""Layering of the two distributions, checked on the source (no server, milliseconds).

The runtime (``gradio_codegen_runtime``) never imports the generator; the generator
imports only the runtime's public names; neither package has an import cycle; and a
generated SDK loads nothing of the generator (nor its dependencies) when imported.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = ROOT / "runtime" / "gradio_codegen_runtime"
GENERATOR = ROOT / "generator" / "gradio_codegen"
EXAMPLES = ROOT / "generated_examples"
GENERATOR_DEPS = ("jinja2", "black", "datamodel_code_generator", "pydantic", "isort")


def _modules(pkg_dir: Path, pkg: str) -> dict[str, Path]:
    found = {}
    for path in sorted(pkg_dir.rglob("*.py")):
        parts = [pkg, *path.relative_to(pkg_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path) -> Iterator[tuple[str, str | None]]:
    """(module imported, name imported from it) for every import that runs: module
    level and inside functions, but not under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                yield target, alias.name


def _graph(pkg_dir: Path, pkg: str) -> dict[str, set[str]]:
    modules = _modules(pkg_dir, pkg)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        deps = set()
        for target, name in _imports(module, path):
            if name and f"{target}.{name}" in modules:
                deps.add(f"{target}.{name}")
            elif target in modules:
                deps.add(target)
        deps.discard(module)
        graph[module] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_runtime_imports_nothing_of_the_generator() -> None:
    offenders = [
        (module, target)
        for module, path in _modules(RUNTIME, "gradio_codegen_runtime").items()
        for target, _ in _imports(module, path)
        if target == "gradio_codegen" or target.startswith("gradio_codegen.")
        or target.startswith(GENERATOR_DEPS)
    ]
    assert offenders == []


def test_generator_uses_only_the_public_runtime_api() -> None:
    offenders = []
    for module, path in _modules(GENERATOR, "gradio_codegen").items():
        for target, name in _imports(module, path):
            if not target.startswith("gradio_codegen_runtime"):
                continue
            private = any(part.startswith("_") for part in target.split(".")[1:])
            if private or (name is not None and name.startswith("_") and name != "__version__"):
                offenders.append((module, target, name))
    assert offenders == []


@pytest.mark.parametrize(
    ("pkg_dir", "pkg"), [(RUNTIME, "gradio_codegen_runtime"), (GENERATOR, "gradio_codegen")]
)
def test_no_import_cycles(pkg_dir: Path, pkg: str) -> None:
    assert _cycles(_graph(pkg_dir, pkg)) == []


def test_cycle_finder_finds_a_cycle() -> None:
    """The check above can fail: a two-module cycle and a three-module one are found."""
    graph = {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"a"}}
    assert _cycles(graph) == [["a", "b"], ["c", "d", "e"]]


def test_importing_a_generated_sdk_loads_no_generator_module() -> None:
    package_dir = next(EXAMPLES.glob("gen_components_6.31.0/*/schema.json")).parent
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); import importlib; "
        "importlib.import_module(sys.argv[2]); print(json.dumps(sorted(sys.modules)))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(package_dir.parent), package_dir.name],
        capture_output=True, text=True, check=True,
    )
    loaded = json.loads(run.stdout)
    assert "gradio_codegen_runtime" in loaded
    generator = [
        m for m in loaded
        if m == "gradio_codegen" or m.startswith("gradio_codegen.") or m.split(".")[0] in GENERATOR_DEPS
    ]
    assert generator == []
