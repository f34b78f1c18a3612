"""Components an event can change, live on every Gradio version: a Dropdown created
empty and filled by ``/fill``, a Slider whose maximum ``/raise_limit`` raises and a Radio
whose choices ``/more_sizes`` extends take the updated values through the SDK (sync and
async); static components still reject values outside their choices and range before
anything is sent, naming what is allowed. Empty schemas (gr.Navbar on 5.x and later,
a component publishing ``{}``) get types from the component. mypy accepts the dynamic
calls: ``calls.APP_CALLS["gen_dynamic"]`` is type-checked in test_examples.py."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen.cli import main as cli
from gradio_codegen.render import render_package
from gradio_codegen.typemap import TypeMapper
from gradio_codegen_runtime import AppError, ValidationError
from gradio_codegen_runtime.endpoint import Endpoint, param_from_spec
from gradio_codegen_runtime.spec import ParameterSpec, load_spec

from tests.conftest import import_fresh
from tests.generator.regen_examples import EXAMPLES


@pytest.fixture
def sdk(serve: Any, gradio_version: str, tmp_path: Path) -> Any:
    server = serve("gen_dynamic", gradio_version)
    name = f"dyn_{gradio_version.replace('.', '_')}"
    assert cli([server.url, "-o", str(tmp_path / name)]) == 0
    return import_fresh(tmp_path / name, name)


def test_updated_components_take_updated_values(sdk: Any, gradio_version: str) -> None:
    with sdk.Client() as app:
        # Before /fill the SDK sends the value and the server decides: gradio 5 and
        # later refuse a value outside the current choices, 4.44 takes it.
        if gradio_version.startswith("4."):
            assert app.pick("dog") == "picked dog"
        else:
            with pytest.raises(AppError, match="not in the list of choices"):
                app.pick("dog")
        # /fill, /raise_limit and /more_sizes return gr.update(...): the caller gets the
        # value an update sets (typed as the component's), None when it sets none.
        assert app.fill() == "cat"
        assert app.pick("dog") == "picked dog"
        assert app.raise_limit() is None
        assert app.run(500) == "ran 500 steps"
        assert app.more_sizes() is None
        assert app.order("XL") == "ordered XL"
        result = app.rate(3)
        assert (result.more_stars, result.said) == (4, "3 stars")
        if not gradio_version.startswith("4."):
            assert app.set_pages() == [["Docs", "docs"], ["Blog", "https://example.org/blog"]]
            assert app.count_pages([("A", "a"), ("B", "b")]) == "2 pages: ['A', 'B']"

    async def run() -> list[Any]:
        async with sdk.AsyncClient() as app:
            await app.fill()
            await app.raise_limit()
            return [await app.pick("axolotl"), await (await app.submit.run(999)).result(60)]

    assert asyncio.run(run()) == ["picked axolotl", "ran 999 steps"]


def test_static_components_are_checked_before_sending(sdk: Any) -> None:
    endpoint = sdk._client._EP_PAINT
    with pytest.raises(ValidationError, match=r"must be one of 'red' or 'green'; got 'purple'"):
        endpoint.check(["purple", 0.5])
    with pytest.raises(ValidationError, match=r"must be <= 1.0, got 2"):
        endpoint.check(["red", 2])
    with sdk.Client() as app:
        with pytest.raises(ValidationError, match="'red' or 'green'") as info:
            app.paint("purple")
        assert info.value.parameter == "color"
        assert app.paint("green", 0.5) == "green at 0.5"
    # Components an event updates leave the range and the choices to the server.
    assert sdk._client._EP_RUN.check([500]) == [500]
    assert sdk._client._EP_ORDER.check(["XL"]) == ["XL"]
    assert sdk._client._EP_PICK.check(["anything"]) == ["anything"]


def _saved_spec() -> dict[str, Any]:
    path = next((EXAMPLES / "gen_dynamic_6.31.0").glob("*/schema.json"))
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_schemas_saved_before_updatable_still_load_with_strict_types() -> None:
    raw = _saved_spec()
    # animal, steps, size and the Navbar (set by /set_pages)
    assert sum("updatable" in p for e in raw["endpoints"] for p in e["parameters"]) == 4
    for endpoint in raw["endpoints"]:
        for param in endpoint["parameters"]:
            assert param.pop("updatable", True) is True  # saved only where true
    old = render_package(load_spec(json.dumps(raw)), "old").files["old/_client.py"]
    new = render_package(load_spec(json.dumps(_saved_spec())), "new").files["new/_client.py"]
    assert 'def order(size: Literal["S", "M"] = "S") -> str:' in old
    assert 'def order(size: Literal["S", "M"] | str = "S") -> str:' in new
    assert "Initial range 1 to 10, step 1 (an event of the app may change it)." in new
    assert "Initial choices: 'S', 'M' (an event of the app may change them)." in new


def test_empty_choices_never_accept_nothing() -> None:
    """A Dropdown with no choices that no event fills: typed and checked by its schema's
    kind (str), never a type or a check nothing satisfies."""
    param = ParameterSpec(name="animal", label="animal", component="Dropdown",
                          schema={"type": "string", "enum": []}, props={"choices": []})
    runtime = param_from_spec("animal", param)
    assert runtime.kinds == ("str",) and runtime.choices is None
    endpoint = Endpoint(api_name="pick", fn_index=0, params=(runtime,), input_slots=(0,))
    assert endpoint.check(["dog"]) == ["dog"]
    with pytest.raises(ValidationError, match=r"argument 'animal' must be str, got NoneType"):
        endpoint.check([None])
    assert TypeMapper().parameter(param, "Pick") == "str"
