"""The black-shaped layout: generated code skips black, so black must agree with it.

Every check here formats the generator's output with black and requires it unchanged:
random literals laid out at random depths, string literals with every kind of quote
and escape, the committed examples, a 100-endpoint app, and endpoints long enough that
the layout hands them to black.
"""

from __future__ import annotations

import ast
import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generation import synthetic_schema
from gradio_codegen.formatting import format_python, prune_imports
from gradio_codegen.layout import Pair, TooLong, flat, lay_out
from gradio_codegen.literals import doc_text, literal_node, pyliteral, str_literal
from gradio_codegen.render import ParamView, _endpoint_doc, docstring_lines, render_package
from gradio_codegen_runtime.spec import EndpointSpec, ReturnSpec, load_spec

from tests.generator.regen_examples import example_dirs, regenerate

#: Per property; ``GRADIO_CODEGEN_HYPOTHESIS_EXAMPLES`` raises it for the long run.
EXAMPLES = max(300, int(os.environ.get("GRADIO_CODEGEN_HYPOTHESIS_EXAMPLES", "300")))

texts = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(["'", '"', "\\", "\\'", '\\"', "x", "\n", "\x00", "é", "漢"]),
             max_size=8).map("".join),
)
leaves = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False), texts,
)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=6),
        st.lists(inner, max_size=6).map(tuple),
        st.dictionaries(texts, inner, max_size=4),
    ),
    max_leaves=30,
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(text=texts)
def test_string_literals_use_blacks_quotes(text: str) -> None:
    source = f"x = {str_literal(text)}\n"
    assert ast.literal_eval(str_literal(text)) == text
    assert format_python(source) == source


@settings(max_examples=EXAMPLES, deadline=None)
@given(value=values, depth=st.integers(0, 3), name=st.sampled_from(["x", "a_much_longer_name"]))
def test_laid_out_literals_are_black_stable(value: object, depth: int, name: str) -> None:
    node = Pair(f"{name} = ", literal_node(value))
    assert ast.literal_eval(flat(node).split(" = ", 1)[1]) == value
    try:
        lines = lay_out(node, 4 * depth)
    except TooLong:
        return  # black formats these (covered below)
    body = "\n".join(lines) + "\n"
    source = "".join(f"{'    ' * i}if x:\n" for i in range(depth)) + body
    assert format_python(source) == source


def test_long_literals_split_one_item_per_line() -> None:
    lines = lay_out(Pair("choices = ", literal_node(tuple(f"choice {i}" for i in range(20)))))
    assert lines[0] == "choices = (" and lines[-1] == ")"
    assert lines[1] == '    "choice 0",' and len(lines) == 22


def test_pyliteral_round_trips() -> None:
    for value in ["it's", 'say "hi"', "both ' and \"", "\\", "", {"k": [1, 2.5, None]}]:
        assert ast.literal_eval(pyliteral(value)) == value


def test_import_removed_whole_takes_its_blank_line() -> None:
    source = (
        "from a import (\n    used,\n)\n\nfrom .types import (\n    Unused,\n)\n\n"
        "print(used)\n"
    )
    pruned = prune_imports(source)
    assert "Unused" not in pruned and format_python(pruned) == pruned


def test_pruned_imports_stay_black_formatted() -> None:
    names = [f"name_number_{i}" for i in range(12)]
    source = "from some.module import (\n" + "".join(f"    {n},\n" for n in names) + ")\n"
    for keep in (names[:2], names[:9]):
        listed = "".join(f'    "{n}",\n' for n in keep)
        pruned = prune_imports(source + f"\n__all__ = [\n{listed}]\n")
        assert format_python(pruned) == pruned


doc_texts = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.lists(
        st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\xa0", "\u3000", "\u2000", "\x85",
                         "\u2028", "\x0c", "\x1c", "\\", '"', '"""', "'", "x", "é", "漢"]),
        max_size=10,
    ).map("".join),
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    description=doc_texts, api_name=st.text(max_size=20), generator=st.booleans(),
    labels=st.lists(doc_texts, max_size=3), param_docs=st.lists(doc_texts, max_size=3),
    depth=st.integers(0, 1),
)
def test_endpoint_docstrings_are_black_stable(
    description: str | None, api_name: str, generator: bool, labels: list[str | None],
    param_docs: list[str | None], depth: int,
) -> None:
    returns = tuple(ReturnSpec(label=text, component=text or "Textbox", schema={})
                    for text in labels)
    ep = EndpointSpec(api_name=api_name, fn_index=0, parameters=(), returns=returns,
                      input_slots=(), output_slots=(), generator=generator,
                      description=description)
    params = [ParamView(f"p{i}", "int", None, False, doc_text(text, limit=600))
              for i, text in enumerate(param_docs)]
    pad = "    " * (depth + 1)
    doc = docstring_lines(_endpoint_doc(ep, params, list(returns)), pad)
    head = "class A:\n    def f(self):\n" if depth else "def f():\n"
    source = head + "\n".join(doc) + f"\n{pad}return None\n"
    assert format_python(source) == source


@pytest.mark.parametrize("package_dir", example_dirs(), ids=lambda p: p.parent.name)
def test_examples_are_black_formatted(package_dir: object) -> None:
    for rel, text in regenerate(package_dir).items():  # type: ignore[arg-type]
        if rel.endswith(".py"):
            assert format_python(text) == text, rel


def _check_black_stable(files: dict[str, str]) -> None:
    for name, text in files.items():
        if name.endswith(".py"):
            assert format_python(text) == text, name


def test_hundred_endpoint_sdk_is_black_formatted() -> None:
    spec = load_spec(json.dumps(synthetic_schema(100)))
    _check_black_stable(render_package(spec, "synthetic_sdk").files)


def test_statements_too_long_to_lay_out_go_through_black() -> None:
    schema = synthetic_schema(2)
    choices = [f"option number {i} " + "é" * (i % 3) for i in range(40)]
    param = schema["endpoints"][0]["parameters"][0]
    param.update(component="Dropdown", schema={"type": "string", "enum": choices},
                 has_default=True, default=choices[0], props={"choices": choices})
    schema["endpoints"][0]["api_name"] = "a_" + "very_" * 15 + "long_endpoint_name"
    schema["source"] = schema["host"] = "http://127.0.0.1:7860/" + "x" * 60
    files = render_package(load_spec(json.dumps(schema)), "long_sdk").files
    _check_black_stable(files)
    client = files["long_sdk/_client.py"]
    assert "_GC_UNIT" not in client
    assert "Literal[\n" in client  # black split the long type
    assert '_HOST = (\n    "http' in client
