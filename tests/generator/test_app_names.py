"""Names in the app's own language, live: an app whose endpoints, parameters and outputs
are named in Chinese, Japanese and German gets an SDK that uses those words, calls them
correctly (sync and async) on every Gradio version, shows them in its README and in
``gradio-codegen inspect``; with ``--ascii-names`` every name is ASCII and meaningful.
Type checking (mypy --strict, pyright strict) of these names runs in test_examples.py,
IDE completion in test_ide.py."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen.cli import main as cli

from tests.conftest import import_fresh


def _names(source: str) -> set[str]:
    """Every identifier the module defines or binds (functions, classes, arguments,
    fields, constants)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found.add(node.target.id)
    return found


def test_sdk_speaks_the_apps_language(
    serve: Any, gradio_version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = serve("gen_names", gradio_version)
    name = f"names_{gradio_version.replace('.', '_')}"
    assert cli([server.url, "-o", str(tmp_path / name)]) == 0
    sdk = import_fresh(tmp_path / name, name)
    client_src = (tmp_path / name / "_client.py").read_text(encoding="utf-8")
    types_src = (tmp_path / name / "types.py").read_text(encoding="utf-8")
    assert {"生成图片", "提示词", "步数", "画像を生成", "プロンプト", "枚数", "größe", "breite",
            "höhe"} <= _names(client_src)
    assert {"生成图片Result", "图片描述", "长度", "画像を生成Result", "出力テキスト", "合計",
            "GrößeResult", "fläche", "umfang"} <= _names(types_src)
    functions = {
        node.name: [a.arg for a in node.args.args + node.args.kwonlyargs]
        for node in ast.parse(client_src).body
        if isinstance(node, ast.FunctionDef) and node.name not in ("default_client", "configure")
    }
    assert functions == {"生成图片": ["提示词", "步数"], "画像を生成": ["プロンプト", "枚数"],
                         "größe": ["breite", "höhe"]}

    with sdk.Client() as app:
        zh = app.生成图片(提示词="猫", 步数=3)
        assert (zh.图片描述, zh.长度) == ("猫×3", 3)
        assert app.submit.画像を生成("ねこ", 2).result(timeout=60).出力テキスト == "ねこ"
        assert app.größe(3, höhe=4.5) == (13.5, 15.0)
        assert app.größe(3, 4.5).fläche == 13.5

    async def run() -> tuple[Any, Any]:
        async with sdk.AsyncClient() as app:
            job = await app.submit.生成图片("犬", 2)
            return await app.画像を生成(プロンプト="abc", 枚数=1.5), await job.result(timeout=60)

    ja, zh2 = asyncio.run(run())
    assert (ja.出力テキスト, ja.合計) == ("ABC", 3.0)
    assert zh2.长度 == 2

    readme = (tmp_path / name / "README.md").read_text(encoding="utf-8")
    assert f"{name}.生成图片(" in readme and "### `größe`" in readme
    capsys.readouterr()
    assert cli(["inspect", server.url]) == 0
    out = capsys.readouterr().out
    assert "def 生成图片(提示词: str, 步数: float = 20) -> 生成图片Result:" in out
    assert "def 画像を生成(プロンプト: str, 枚数: float = 1) -> 画像を生成Result:" in out
    assert "def größe(breite: float, höhe: float) -> GrößeResult:" in out


def test_ascii_names_transliterate_with_meaning(
    serve: Any, gradio_version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = serve("gen_names", gradio_version)
    name = f"ascii_{gradio_version.replace('.', '_')}"
    assert cli([server.url, "-o", str(tmp_path / name), "--ascii-names"]) == 0
    client_src = (tmp_path / name / "_client.py").read_text(encoding="utf-8")
    defined = _names(client_src) | _names((tmp_path / name / "types.py").read_text())
    assert all(n.isascii() for n in defined), sorted(n for n in defined if not n.isascii())
    assert {"sheng_cheng_tu_pian", "ti_shi_ci", "bu_shu", "grosse", "breite", "hohe"} <= defined
    assert {"ShengChengTuPianResult", "tu_pian_miao_shu", "zhang_du", "flache"} <= defined
    readme = (tmp_path / name / "README.md").read_text(encoding="utf-8")
    assert "--ascii-names" in readme  # the command that regenerates it says so
    sdk = import_fresh(tmp_path / name, name)
    with sdk.Client() as app:
        assert app.sheng_cheng_tu_pian(ti_shi_ci="猫", bu_shu=3).zhang_du == 3
        assert app.grosse(2, hohe=3).flache == 6.0
    capsys.readouterr()
    assert cli(["inspect", server.url, "--ascii-names"]) == 0
    assert "def grosse(breite: float, hohe: float) -> GrosseResult:" in capsys.readouterr().out
