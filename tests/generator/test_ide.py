"""IDE view (jedi): every endpoint completes on the module, on ``Client()`` and on
``Client().submit``, with its parameter names and its docstring."""

from __future__ import annotations

import ast
from pathlib import Path

import jedi
import pytest

from tests.generator.regen_examples import EXAMPLES

PACKAGE = "gen_components_v6_31_0"
PACKAGE_DIR = EXAMPLES / "gen_components_6.31.0" / PACKAGE


def _endpoints() -> dict[str, list[str]]:
    """Module-level endpoint functions and their parameter names, from the source."""
    tree = ast.parse((PACKAGE_DIR / "_client.py").read_text())
    return {
        node.name: [a.arg for a in node.args.args + node.args.kwonlyargs]
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name not in ("default_client", "configure")
    }


ENDPOINTS = _endpoints()


@pytest.fixture(scope="module")
def project() -> jedi.Project:
    return jedi.Project(path=str(PACKAGE_DIR.parent), added_sys_path=[str(PACKAGE_DIR.parent)])


@pytest.mark.parametrize(
    "prefix",
    [f"import {PACKAGE}\n{PACKAGE}.", f"from {PACKAGE} import Client\nClient().",
     f"from {PACKAGE} import Client\nClient().submit."],
    ids=["module", "client", "submit"],
)
def test_every_endpoint_completes_with_signature_and_doc(
    prefix: str, project: jedi.Project, tmp_path: Path
) -> None:
    assert len(ENDPOINTS) >= 10
    script = jedi.Script(prefix, path=str(tmp_path / "use.py"), project=project)
    lines = prefix.splitlines()
    completions = {c.name: c for c in script.complete(len(lines), len(lines[-1]))}
    for name, params in ENDPOINTS.items():
        assert name in completions, f"{name} not offered after {prefix!r}"
        completion = completions[name]
        signatures = completion.get_signatures()
        assert signatures, name
        got = [p.name for p in signatures[0].params if p.name != "self"]
        assert got == params, name
        doc = completion.docstring()
        assert f"Endpoint: /" in doc and "Args:" in doc if params else "Endpoint: /" in doc
    basics = completions["basics"].docstring()
    assert "[Slider] Ratio. Range 0 to 10, step 0.5. Default: 2.5." in basics
    assert 'Free text; "quotes" and \\ survive.' in basics
    assert "Choices: 'red', 'green', 'blue'." in basics


NAMES_PACKAGE = "gen_names_v6_31_0"


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (f"import {NAMES_PACKAGE}\n{NAMES_PACKAGE}.", {"生成图片", "画像を生成", "größe"}),
        (f"from {NAMES_PACKAGE} import Client\nClient().", {"生成图片", "画像を生成", "größe"}),
        (f"from {NAMES_PACKAGE} import Client\nClient().submit.", {"生成图片", "画像を生成"}),
        (f"import {NAMES_PACKAGE}\n{NAMES_PACKAGE}.生成图片('', 1).", {"图片描述", "长度"}),
        (f"import {NAMES_PACKAGE}\n{NAMES_PACKAGE}.größe(1, 2).", {"fläche", "umfang"}),
    ],
    ids=["module", "client", "submit", "result-zh", "result-de"],
)
def test_names_in_the_apps_language_complete(
    prefix: str, expected: set[str], tmp_path: Path
) -> None:
    directory = EXAMPLES / "gen_names_6.31.0"
    project = jedi.Project(path=str(directory), added_sys_path=[str(directory)])
    script = jedi.Script(prefix, path=str(tmp_path / "use.py"), project=project)
    lines = prefix.splitlines()
    completions = {c.name: c for c in script.complete(len(lines), len(lines[-1]))}
    assert expected <= set(completions), sorted(completions)[:20]
    if "生成图片" in expected:
        signature = completions["生成图片"].get_signatures()[0]
        assert [p.name for p in signature.params if p.name != "self"] == ["提示词", "步数"]
        assert "Endpoint: /生成图片" in completions["生成图片"].docstring()
