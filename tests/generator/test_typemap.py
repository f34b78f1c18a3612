"""Type precision on the real schemas of all three Gradio versions, and odd schemas."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from gradio_codegen.render import render_package
from gradio_codegen_runtime.spec import ApiSpec, EndpointSpec, ParameterSpec, ReturnSpec
from gradio_codegen.typemap import TypeMapper

from tests.generator.regen_examples import EXAMPLES, VERSIONS


def _signatures(version: str) -> dict[str, str]:
    source = next((EXAMPLES / f"gen_components_{version}").glob("*/_client.py")).read_text()
    tree = ast.parse(source)
    out = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            seg = ast.get_source_segment(source, node) or ""
            out[node.name] = " ".join(seg.split(":\n", 1)[0].split()).replace("( ", "(").replace(", )", ")")
    return out


@pytest.mark.parametrize("version", VERSIONS)
def test_component_types_are_precise(version: str) -> None:
    sig = _signatures(version)
    basics = sig["basics"]
    for expected in (
        "text: str", "count: int = 3", "ratio: float = 2.5", "flag: bool = True",
        'choice: Literal["red", "green", "blue"] = "red"',
        'custom: Literal["small", "large"] | str = "small"',
        'many: list[Literal["a", "b", "c"]] | NotGiven = NOT_GIVEN',
        'boxes: list[Literal["x", "y", "z"]] | NotGiven = NOT_GIVEN',
        "level: Literal[1, 2, 3] = 2",  # Radio (label, int) choices: the true values
    ):
        assert expected in basics, (expected, basics)
    assert sig["echo_files"].endswith(
        "(single: FileInput, several: list[FileInput]) -> EchoFilesResult"
    )
    assert sig["text_stats"].endswith("-> TextStatsResult")
    assert sig["classify"].endswith("-> LabelData")
    assert sig["highlight"].endswith("-> list[HighlightedToken]")
    assert sig["table"].endswith("(frame: DataframeData | NotGiven = NOT_GIVEN) -> DataframeData")
    assert sig["respond"].endswith("-> list[Message]")
    assert re.search(r"sketch\(v: \w+\) -> str", sig["sketch"])
    assert "gallery(count: int = 3) -> list[GalleryImage" in sig["gallery"]
    assert sig["count_down"].endswith("(n: int = 3) -> int")
    types = next((EXAMPLES / f"gen_components_{version}").glob("*/types.py")).read_text()
    assert "summary: JSONValue" in types  # gr.JSON's {"type": {}}
    assert "same_file: FileRef" in types and "all_files: list[FileRef]" in types
    # FileData's wire marker ({"_type": "gradio.FileData"}) never leaks into a type.
    assert not re.search(r"^\s+_type:", types, re.MULTILINE), types
    assert "class Message(TypedDict):" in types


def test_chatbot_message_shape_follows_the_server() -> None:
    v6 = next((EXAMPLES / "gen_components_6.31.0").glob("*/types.py")).read_text()
    v5 = next((EXAMPLES / "gen_components_5.50.0").glob("*/types.py")).read_text()
    assert "content: list[TextMessage | FileMessage | ComponentMessage]" in v6
    assert re.search(r"content: str \| FileMessage \| ComponentMessage", v5)


def _spec(param_schema: object, return_schema: object, **props: object) -> ApiSpec:
    ep = EndpointSpec(
        api_name="x", fn_index=0,
        parameters=(ParameterSpec(name="v", label="V", component="Json", schema=param_schema,
                                  props=props),),
        returns=(ReturnSpec(label="Out", component="Json", schema=return_schema),),
        input_slots=(0,), output_slots=(0,),
    )
    return ApiSpec(host="http://127.0.0.1:7860", api_prefix="", protocol="sse_v3",
                   gradio_version="6", endpoints=(ep,))


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": {}}, "JSONValue"),
        (True, "Any"),
        (False, "Any"),
        ({}, "Any"),
        ({"type": "object", "additionalProperties": True}, "dict[str, Any]"),
        ({"type": "object", "additionalProperties": {"type": "integer"}}, "dict[str, int]"),
        ({"type": "array", "items": False}, "list[Any]"),
        ({"enum": ["a", 1, None, True]}, 'Literal["a", 1, True] | None'),
        ({"type": ["string", "null"]}, "str | None"),
        ({"anyOf": [{"type": "integer"}, {"type": "number"}]}, "int | float"),
        ({"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}]},
         "tuple[str, float]"),
        ({"type": "object", "properties": {"class": {"type": "string"}}}, "dict[str, Any]"),
    ],
)
def test_leaf_mapping(schema: object, expected: str) -> None:
    assert TypeMapper().map(schema, "out", "Hint") == expected


def test_recursive_ref_becomes_recursive_typeddict() -> None:
    node = {"$defs": {"Node": {"type": "object", "required": ["value"], "properties": {
        "value": {"type": "string"},
        "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}},
        "$ref": "#/$defs/Node"}
    types = render_package(_spec(node, node), "tree_sdk").files["tree_sdk/types.py"]
    assert re.search(r"children: NotRequired\[list\[(\w+)\]\]", types)
    for name in re.findall(r"class (\w+)\(TypedDict\)", types):
        assert f"children: NotRequired[list[{name}]]" in types
    assert len(re.findall(r"class \w+\(TypedDict\)", types)) == 2  # one per direction


@pytest.mark.parametrize(("item", "typed"), [
    ({"type": "string"}, "str"),
    ({"const": '"""'}, """Literal['\"\"\"']"""),  # a string inside the aliased type
    ({"enum": ["ValueItem", "a b"]}, 'Literal["ValueItem", "a b"]'),
])
def test_models_name_no_types_after_schema_property_names(item: Any, typed: str) -> None:
    """datamodel-code-generator names an alias after a property (``ValueItem``); such
    aliases are inlined, so every identifier still comes from the sanitizer; a string
    of the same name is left alone."""
    from gradio_codegen.render import render_package
    from gradio_codegen_runtime.spec import ApiSpec, EndpointSpec, ParameterSpec

    node = {"type": "object", "properties": {
        "next": {"$ref": "#/$defs/Node"},
        "value": {"type": "array", "prefixItems": [
            {"type": "array", "prefixItems": [item]}]},
    }}
    param = ParameterSpec(
        name="rec", label=None, component="Json",
        schema={"type": "array", "prefixItems": [{"$ref": "#/$defs/Node"}],
                "$defs": {"Node": node}},
    )
    spec = ApiSpec(
        host="http://127.0.0.1:7860", api_prefix="/gradio_api", protocol="sse_v3",
        gradio_version="6.31.0", endpoints=(EndpointSpec(
            api_name="x", fn_index=0, parameters=(param,), returns=(), input_slots=(0,),
            output_slots=()),),
    )
    types = render_package(spec, "alias_sdk").files["alias_sdk/types.py"]
    assert "TypeAlias" not in types
    assert f"value: NotRequired[tuple[tuple[{typed}]]]" in types
    compile(types, "types.py", "exec")
