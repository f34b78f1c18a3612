"""The names and dynamic-component apps (``gen_names``, ``gen_dynamic``) on Gradio 4.7
and 3.x through generated SDKs, sync and async: endpoints, parameters and outputs keep
the app's own Chinese, Japanese and German words, and components an event updates
take the updated values.

What these versions lack, asserted as such: no version before 4.23 tells defaults
in ``/info``, so they come from the components' initial values in ``/config``, as
later versions give them; 3.x's ``/info`` fails (HTTP 500) for an app
with a component class its serializers do not know (``Stars`` here), so the SDK is
made from ``/config`` alone; ``gr.Navbar`` (5.x) is absent from the app there.
"""

from __future__ import annotations

import ast
import asyncio
from typing import Any

import httpx
import pytest

from gradio_codegen.cli import main as cli
from gradio_codegen_runtime import AppError, Client, ValidationError

from tests.generator.test_app_names import _names


def _source(sdk: Any, module: str) -> str:
    from pathlib import Path

    return Path(sdk.__file__).with_name(module).read_text(encoding="utf-8")


def test_names_are_the_apps_words(
    make_sdk: Any, serve: Any, old_version: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sdk = make_sdk("gen_names")
    client_src, types_src = _source(sdk, "_client.py"), _source(sdk, "types.py")
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
        assert app.生成图片("鱼").长度 == 20
        assert app.submit.画像を生成("ねこ", 2).result(timeout=60).出力テキスト == "ねこ"
        assert app.größe(3, höhe=4.5) == (13.5, 15.0)
        assert app.größe(3, 4.5).fläche == 13.5

    async def run() -> tuple[Any, Any]:
        async with sdk.AsyncClient() as aapp:
            job = await aapp.submit.生成图片("犬", 2)
            return await aapp.画像を生成(プロンプト="abc", 枚数=1.5), await job.result(timeout=60)

    ja, zh2 = asyncio.run(run())
    assert (ja.出力テキスト, ja.合計) == ("ABC", 3.0)
    assert (zh2.图片描述, zh2.长度) == ("犬×2", 2)

    url = serve("gen_names", old_version).url
    with Client(url) as generic:  # no parameter names before 4.23: keywords are labels
        assert generic.predict("/größe", 2, Höhe=5) == (10.0, 14.0)
    capsys.readouterr()
    assert cli(["inspect", url]) == 0
    out = capsys.readouterr().out
    # The Slider's initial 20 is the default, from /config (a 4.23+ /info tells it).
    assert "def 生成图片(提示词: str, 步数: float = 20) -> 生成图片Result:" in out
    assert "def 画像を生成(プロンプト: str, 枚数: float = 1" in out  # 1 or 1.0
    assert "def größe(breite: float, höhe: float) -> GrößeResult:" in out


def test_updated_components_take_updated_values(make_sdk: Any, old_version: str) -> None:
    sdk = make_sdk("gen_dynamic")
    with sdk.Client() as app:
        # Before 5.x no server checks a Dropdown's value against its choices.
        assert app.pick("dog") == "picked dog"
        assert app.fill() == "cat"  # the value gr.update(...) sets
        assert app.pick("axolotl") == "picked axolotl"
        assert app.raise_limit() is None  # an update that sets no value
        assert app.run(500) == "ran 500 steps"
        assert app.more_sizes() is None
        assert app.order("XL") == "ordered XL"
        result = app.rate(3)
        # A Number without precision hands the function a float before 4.44.
        assert (result.more_stars, result.said) == (4, "3.0 stars")
        assert not hasattr(app, "count_pages")  # gr.Navbar is 5.x and later

    async def run() -> list[Any]:
        async with sdk.AsyncClient() as aapp:
            await aapp.fill()
            await aapp.raise_limit()
            await aapp.more_sizes()
            return [await aapp.pick("cat"), await (await aapp.submit.run(999)).result(60),
                    await aapp.order("XL")]

    assert asyncio.run(run()) == ["picked cat", "ran 999 steps", "ordered XL"]

    # Static components are still checked before anything is sent.
    with sdk.Client() as app:
        with pytest.raises(ValidationError, match="'red' or 'green'") as info:
            app.paint("purple")
        assert info.value.parameter == "color"
        with pytest.raises(ValidationError, match=r"must be <= 1.0, got 2"):
            app.paint("red", 2)
        assert app.paint("green", 0.5) == "green at 0.5"
        assert app.paint("green") == "green at 1"  # opacity's initial value, from /config
    assert sdk._client._EP_RUN.check([500]) == [500]
    assert sdk._client._EP_ORDER.check(["XL"]) == ["XL"]


def test_3x_info_failure_falls_back_to_config(serve: Any, old_version: str) -> None:
    """3.x's /info fails for an app with a component subclass (3.26 and later; before
    3.26 there is no /info at all); /config alone serves."""
    url = serve("gen_dynamic", old_version).url
    status = httpx.get(url + "/info").status_code
    assert (status in (404, 500)) == old_version.startswith("3.")
    with Client(url) as app:
        assert "/rate" in app.endpoints()
        assert app.predict("/rate", 1) == (2, "1.0 stars")


def test_config_defaults_only_plain_values() -> None:
    """Defaults from /config: plain initial values only, never a file's old wire
    form, never over what /info says."""
    from gradio_codegen_runtime._old_info import config_default

    entry = {"label": "x", "type": {"type": "number"}}

    def comp(kind: str, value: Any) -> dict[str, Any]:
        return {"id": 1, "type": kind, "props": {"value": value}}

    assert config_default(entry, comp("slider", 20))["parameter_default"] == 20
    assert config_default(entry, comp("checkboxgroup", ["a"]))["parameter_default"] == ["a"]
    for kind, value in [("textbox", ""), ("number", None), ("file", "a.txt"),
                        ("image", "data:image/png;base64,AA=="), ("checkboxgroup", [{}]),
                        ("dropdown", {"a": 1})]:
        assert "parameter_has_default" not in config_default(entry, comp(kind, value))
    told = {**entry, "parameter_has_default": False}
    assert config_default(told, comp("slider", 3)) == told
    assert config_default(entry, None) == entry
