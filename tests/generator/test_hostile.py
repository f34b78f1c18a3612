"""Hostile schemas: whatever an app publishes, its SDK compiles, formats, imports without
running anything from the schema, and schema text only ever appears inside string
literals (identifiers come from the sanitizer alone).

The example count defaults to a small number for the everyday suite; set
``GRADIO_CODEGEN_HYPOTHESIS_EXAMPLES=10000`` for a long run.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import itertools
import keyword
import io
import os
import tokenize
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradio_codegen import names as names_mod
from gradio_codegen.formatting import format_python
from gradio_codegen import render as render_mod
from gradio_codegen import typemap as typemap_mod
from gradio_codegen.render import render_package
from gradio_codegen_runtime.spec import ApiSpec, EndpointSpec, ParameterSpec, ReturnSpec

from tests.conftest import import_fresh
from tests.generator.regen_examples import example_dirs

EXAMPLES = int(os.environ.get("GRADIO_CODEGEN_HYPOTHESIS_EXAMPLES", "100"))
CANARY = "GRADIO_CODEGEN_CANARY"
_RUN = f"__import__('builtins').__setattr__('{CANARY}', 1)"
PAYLOADS = [
    '"""', "'''", "\\", '\\"""', "'", '"', "#", "\n", "\r\n", "\x00", "\u2028", "\u2029",
    "\ud800", "\udfff", "\x85", "\u202e", "\x1b[31m", "\f", "\v", "\t", "{{ 7 * 7 }}",
    "{% raw %}", "__init__", "class", "None", "__import__", "eval", "exec", "open",
    _RUN, f"'); {_RUN}; ('", f'"); {_RUN}; ("', f'"""; {_RUN}; """', f"\n{_RUN}\n",
    f"\\'); {_RUN} #", f"x' if {_RUN} else '", "x" * 3000,
]
#: Names in many scripts, and the Unicode tricks names can play: NFKC twins (ligature,
#: fullwidth, math letters), invisible joiners and fillers, bidi overrides, and
#: Latin/Cyrillic/Greek look-alikes.
UNICODE_NAMES = [
    "file", "ﬁle", "ｆｉｌｅ", "fi\u200dle", "\U0001d41file", "ℌello", "hello", "生成图片",
    "生成\u200b图片", "画像を生成", "größe", "GRÖSSE", "straße", "strasse", "ИмяФайла",
    "раураl", "paypal", "сор", "cop", "αρ", "\u202eevil", "live\u202e", "\u2066x\u2069",
    "a\u3164b", "\u115fx", "x\ufe0f", "\u0301a", "١٢٣", "e\u0301", "\u00e9", "İstanbul",
    "\ufeffbom", "mixed生成Name", "send\u00adit", "k\u212a",
]

unicode_names = st.one_of(
    st.sampled_from(UNICODE_NAMES),
    st.lists(st.sampled_from(UNICODE_NAMES), min_size=1, max_size=3).map("".join),
    st.text(st.characters(categories=["L", "M", "N", "Cf", "Pc"]), min_size=1, max_size=12),
)
text = st.one_of(
    st.sampled_from(PAYLOADS),
    unicode_names,
    st.text(st.characters(exclude_categories=()), max_size=30),
    st.lists(st.sampled_from(PAYLOADS), min_size=1, max_size=4).map("".join),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True), text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)
    ),
    max_leaves=12,
)
FILE = {
    "type": "object",
    "properties": {"path": {"type": "string"}, "meta": {"default": {"_type": "gradio.FileData"}}},
    "required": ["path"],
}
key_text = st.one_of(text, st.sampled_from(["_type", "type", "id", "value", "class", "Any", "str"]))
leaf_schemas = st.one_of(
    st.sampled_from(
        [{"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"},
         {"type": "null"}, {"type": {}}, True, False, {}, FILE, {"$ref": "#/$defs/Node"},
         {"$ref": "#/$defs/Missing"}, {"type": ["string", "null"]}]
    ),
    st.builds(lambda v: {"enum": v}, st.lists(scalars, max_size=5)),
    st.builds(lambda v: {"const": v}, scalars),
    st.builds(lambda v: {"type": v}, text),
)
schemas = st.recursive(
    leaf_schemas,
    lambda inner: st.one_of(
        st.builds(lambda s: {"type": "array", "items": s}, inner),
        st.builds(lambda s: {"type": "array", "prefixItems": s}, st.lists(inner, max_size=3)),
        st.builds(lambda s: {"anyOf": s}, st.lists(inner, max_size=3)),
        st.builds(lambda s: {"oneOf": s}, st.lists(inner, max_size=3)),
        st.builds(lambda s: {"allOf": [s]}, inner),
        st.builds(
            lambda props, extra, title: {
                "type": "object", "properties": props, "required": list(props)[:1],
                "additionalProperties": extra, "title": title,
            },
            st.dictionaries(key_text, inner, max_size=4),
            st.one_of(st.booleans(), inner),
            text,
        ),
    ),
    max_leaves=10,
)
top_schemas = st.builds(
    lambda s, node: s if not isinstance(s, dict) else {
        **s, "$defs": {"Node": {"type": "object", "properties": {
            "next": {"$ref": "#/$defs/Node"}, "value": node}}}},
    schemas, schemas,
)
props = st.fixed_dictionaries(
    {},
    optional={
        "choices": st.lists(
            st.one_of(scalars, st.tuples(text, scalars).map(list)), max_size=5
        ),
        "allow_custom_value": st.booleans(),
        "multiselect": st.booleans(),
        "minimum": st.one_of(st.floats(), st.integers(-(2**70), 2**70)),
        "maximum": st.one_of(st.floats(), st.integers(-(2**70), 2**70)),
        "step": st.floats(),
        "precision": st.sampled_from([0, 1, None]),
        "file_count": text,
        "info": text,
    },
)
parameters = st.builds(
    ParameterSpec,
    name=st.one_of(st.none(), text), label=st.one_of(st.none(), text),
    component=st.one_of(st.sampled_from(["Dropdown", "Checkboxgroup", "File", "Radio"]), text),
    schema=top_schemas, python_type=st.one_of(st.none(), text),
    description=st.one_of(st.none(), text), has_default=st.booleans(), default=json_values,
    example=json_values, props=props, updatable=st.booleans(),
)
returns = st.builds(
    ReturnSpec, label=st.one_of(st.none(), text), component=text, schema=top_schemas,
    python_type=st.one_of(st.none(), text), description=st.one_of(st.none(), text),
)


@st.composite
def endpoints(draw: st.DrawFn) -> EndpointSpec:
    params = tuple(draw(st.lists(parameters, max_size=4)))
    outs = tuple(draw(st.lists(returns, max_size=3)))
    return EndpointSpec(
        api_name=draw(text), fn_index=draw(st.integers(0, 10**6)), parameters=params,
        returns=outs, input_slots=tuple(range(len(params))),
        output_slots=tuple(range(len(outs))), generator=draw(st.booleans()),
        description=draw(st.one_of(st.none(), text)),
    )


specs = st.builds(
    ApiSpec,
    host=st.one_of(st.just("http://127.0.0.1:7860"), text.map(lambda t: "http://h/" + t)),
    api_prefix=text, protocol=text, gradio_version=text,
    endpoints=st.lists(endpoints(), max_size=3).map(tuple),
    source=text, space_id=st.one_of(st.none(), text),
    max_file_size=st.one_of(st.none(), st.integers(1, 2**40)),
)


@contextlib.contextmanager
def recording_sanitizer() -> Iterator[set[str]]:
    """Record every identifier the sanitizer hands out while rendering."""
    made: set[str] = set()
    originals = {
        "identifier": names_mod.identifier, "class_name": names_mod.class_name,
        "plain_key": names_mod.plain_key, "take": names_mod.NameAllocator.take,
    }

    def identifier(*a: Any, **k: Any) -> str:
        made.add(out := originals["identifier"](*a, **k))
        return out

    def class_name(*a: Any, **k: Any) -> str:
        made.add(out := originals["class_name"](*a, **k))
        return out

    def plain_key(key: object, **k: Any) -> bool:
        ok = originals["plain_key"](key, **k)
        if ok:
            made.add(str(key))
        return bool(ok)

    def take(self: Any, name: str) -> str:
        made.add(out := originals["take"](self, name))
        return out

    patches = [
        (render_mod, "identifier", identifier), (render_mod, "class_name", class_name),
        (typemap_mod, "class_name", class_name), (typemap_mod, "plain_key", plain_key),
        (names_mod.NameAllocator, "take", take),
    ]
    saved = [(obj, attr, getattr(obj, attr)) for obj, attr, _ in patches]
    for obj, attr, new in patches:
        setattr(obj, attr, new)
    try:
        yield made
    finally:
        for obj, attr, old in saved:
            setattr(obj, attr, old)


def counted(name: str, allowed: set[str]) -> bool:
    """``name`` is an allowed name followed by a collision counter (``Name2``)."""
    stem = name.rstrip("0123456789")
    return any(name[:end] in allowed for end in range(len(stem), len(name)))


def unused_imports(source: str) -> set[str]:
    """Names imported at module level that no code reads (pyright strict rejects them)."""
    tree = ast.parse(source)
    imported = {
        alias.asname or alias.name for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module != "__future__"
        for alias in node.names
    }
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            used |= {c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant)}
    return imported - used


def identifiers(source: str) -> set[str]:
    """Every name the module's code binds or reads (string contents excluded)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, ast.keyword) and node.arg:
            found.add(node.arg)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.update(node.module.split("."))
    return found


def _base_vocabulary() -> frozenset[str]:
    """Names generated code uses whatever the schema says: those of the templates and
    type mapper, taken from a committed example (its own endpoint names are fixed text,
    not hostile input), minus anything that could run code."""
    vocab: set[str] = set()
    for package_dir in example_dirs():
        for path in package_dir.glob("*.py"):
            vocab |= identifiers(path.read_text(encoding="utf-8"))
    vocab |= {"NotRequired", "Required", "TypeAlias", "Any", "Literal", "TypedDict",
              "NamedTuple", "float", "int", "str", "bool", "list", "dict", "tuple", "None",
              "NotGiven", "NOT_GIVEN", "JSONValue", "FileInput", "FileRef"}
    dangerous = {"eval", "exec", "open", "__import__", "compile", "getattr", "setattr",
                 "system", "globals", "locals", "vars", "input", "breakpoint"}
    assert not vocab & dangerous, vocab & dangerous
    return frozenset(vocab)


BASE = _base_vocabulary()


def check_names_as_written(filename: str, source: str) -> None:
    """Names as the source spells them (``ast`` shows them after Python's NFKC): each is
    its own NFKC form, has no invisible or bidi character, and mixes no look-alike
    scripts; the names a scope defines are unique."""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.NAME:
            continue
        word = token.string
        assert unicodedata.normalize("NFKC", word) == word, (filename, word)
        assert not any(names_mod.invisible(ch) for ch in word), (filename, ascii(word))
        assert not any(unicodedata.bidirectional(ch) in _BIDI_CONTROLS for ch in word), word
        assert not names_mod.confusable(word), (filename, word)
    tree = ast.parse(source)
    for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef))]:
        defined = [
            n.name for n in scope.body
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        ] + [
            n.target.id for n in scope.body
            if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
        ]
        assert len(defined) == len(set(defined)), (filename, sorted(defined))


_BIDI_CONTROLS = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}


@settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 1000)
@given(texts=st.lists(unicode_names, min_size=1, max_size=6), ascii_only=st.booleans())
def test_unicode_names_are_unique_after_nfkc_and_look_like_themselves(
    texts: list[str], ascii_only: bool
) -> None:
    allocator = names_mod.NameAllocator()
    made = [
        allocator.take(names_mod.identifier(t, "endpoint", ascii_only=ascii_only))
        for t in texts
    ]
    assert len({unicodedata.normalize("NFKC", n) for n in made}) == len(made)
    for name, raw in zip(made, texts):
        assert name.isidentifier() and unicodedata.normalize("NFKC", name) == name
        assert not any(names_mod.invisible(ch) for ch in name), ascii(name)
        assert not names_mod.confusable(name), name
        assert name.isascii() or not ascii_only
        compile(f"def {name}({name}_arg): return {name}_arg", "<name>", "exec")
        klass = names_mod.class_name(raw, ascii_only=ascii_only)
        assert klass.isidentifier() and unicodedata.normalize("NFKC", klass) == klass
        assert not any(names_mod.invisible(ch) for ch in klass) and not names_mod.confusable(klass)
_counter = itertools.count()


@pytest.mark.timeout(max(600, round(EXAMPLES * 0.6)))  # ~0.25 s per example
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 1000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)
@given(spec=specs, ascii_names=st.booleans())
def test_hostile_spec_renders_safe_code(spec: ApiSpec, ascii_names: bool, tmp_path: Path) -> None:
    with recording_sanitizer() as made:
        package = render_package(spec, "hostile_sdk", dist=True, ascii_names=ascii_names)
    allowed = BASE | made
    for name, source in package.files.items():
        if not name.endswith(".py"):
            continue
        compile(source, name, "exec")
        assert format_python(source) == source, f"{name} is not black-formatted"
        assert not unused_imports(source), f"{name}: unused imports {unused_imports(source)}"
        # A collision counter may follow a sanitized name (TypeMapper.reserve: Name2).
        stray = {i for i in identifiers(source) - allowed if not counted(i, allowed)}
        assert not stray, f"{name}: identifiers not from the sanitizer: {sorted(stray)[:10]}"
        for ident in identifiers(source):
            assert not keyword.iskeyword(ident)
            assert ident.isascii() or not ascii_names, ident
        check_names_as_written(name, source)
    mod_name = f"hostile_sdk_{next(_counter)}"
    target = tmp_path / mod_name
    target.mkdir()
    for name, body in package.files.items():
        if name.startswith("hostile_sdk/"):
            (target / name.split("/", 1)[1]).write_text(body, encoding="utf-8")
    assert not hasattr(builtins, CANARY)
    sdk = import_fresh(target, mod_name)
    try:
        assert not hasattr(builtins, CANARY), "schema text was executed at import"
        assert callable(sdk.Client) and set(sdk.__all__) <= set(dir(sdk))
    finally:
        import sys

        for mod in [m for m in sys.modules if m == mod_name or m.startswith(mod_name + ".")]:
            del sys.modules[mod]
