"""Outputs a function gave as ``gr.update(...)``: the caller gets the value the update
sets, decoded like any output (a file becomes a ``FileRef``), or None when it sets none.
No server: the live cases are in tests/generator/test_dynamic.py and tests/old."""

from __future__ import annotations

from typing import Any, NamedTuple

from gradio_codegen_runtime import FileRef
from gradio_codegen_runtime._outputs import wrap_files
from gradio_codegen_runtime.endpoint import Endpoint


class Pair(NamedTuple):
    image: Any
    text: Any


FILE = {"path": "/tmp/gradio/x.png", "url": "http://h/file=x.png", "orig_name": "x.png",
        "meta": {"_type": "gradio.FileData"}}


def decode(endpoint: Endpoint[Any], raw: list[Any]) -> Any:
    return endpoint.shape(wrap_files(raw, None))


def test_update_values_are_unwrapped_and_decoded() -> None:
    endpoint: Endpoint[Pair] = Endpoint("show", 0, output_slots=(0, 1), result_type=Pair)
    result = decode(endpoint, [
        {"__type__": "update", "visible": True, "value": FILE},
        {"__type__": "update", "interactive": False},
    ])
    assert isinstance(result.image, FileRef) and result.image.orig_name == "x.png"
    assert result.text is None


def test_plain_dicts_and_nested_markers_are_values() -> None:
    # Only an output slot's own update marker counts: a JSON output that merely holds
    # such a dict deeper down, or a dict without the marker, is the value itself.
    endpoint: Endpoint[Any] = Endpoint("json", 0, output_slots=(0,))
    nested = {"items": [{"__type__": "update", "value": 1}]}
    assert decode(endpoint, [nested]) == nested
    assert decode(endpoint, [{"value": 2}]) == {"value": 2}
    assert decode(endpoint, [{"__type__": "update", "value": {"a": 1}}]) == {"a": 1}
