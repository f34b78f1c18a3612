"""Map Gradio's JSON Schemas to Python type expressions.

Leaf types (str, int, float, bool, None, enums, arrays, unions, files, JSON) are mapped
here by hand; object schemas are collected into one document and turned into
TypedDicts by datamodel-code-generator (see ``models.py``). Inputs take files as
``FileInput`` and outputs give ``FileRef``. Where a schema says nothing, the type is
``Any`` and counted, so the CLI can warn about it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

from gradio_codegen_runtime.endpoint import choice_values, distinct_values
from gradio_codegen_runtime.schema import defs_of, is_file_schema, resolve
from gradio_codegen_runtime.spec import ParameterSpec, ReturnSpec

from .component_types import JSON_FALLBACK, component_value_type
from .literals import pyliteral
from .names import TYPE_NAMES, class_name, plain_key

__all__ = ["ObjectRegistry", "TypeMapper", "literal_ok"]

Direction = Literal["in", "out"]
RUNTIME = "gradio_codegen_runtime"
_MAX_DEPTH = 10


def literal_ok(value: Any) -> bool:
    """True for values that can sit inside ``Literal[...]``."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    return isinstance(value, int)


@dataclass
class ObjectRegistry:
    """Object schemas of one SDK, deduplicated, named, ready for datamodel-code-generator."""

    defs: dict[str, Any] = field(default_factory=dict)
    ascii_names: bool = False
    _by_key: dict[str, str] = field(default_factory=dict)
    _taken: set[str] = field(default_factory=set)

    def register(self, schema: Mapping[str, Any], hint: str) -> str:
        key = json.dumps(schema, sort_keys=True)
        if key in self._by_key:
            return self._by_key[key]
        name = self.reserve(hint)
        self._by_key[key] = name
        self.defs[name] = schema
        return name


    def reserve(self, hint: str) -> str:
        """A fresh model name for ``hint`` (its schema is filled in by the caller)."""
        base = class_name(hint, "Model", ascii_only=self.ascii_names)
        name, n = base, 2
        while name in self._taken or name in TYPE_NAMES:
            # PascalCase suffixes only: datamodel-code-generator rewrites "Name_2".
            name, n = f"{base}{n}", n + 1
        self._taken.add(name)
        return name


class TypeMapper:
    """Maps one SDK's schemas; shares the object registry between endpoints."""

    def __init__(self, *, ascii_names: bool = False) -> None:
        self.ascii_names = ascii_names
        self.objects = ObjectRegistry(ascii_names=ascii_names)
        self.untyped = 0
        self.uses: set[str] = set()
        self._file_models: set[str] = set()
        #: $ref targets being mapped, by direction: the model name they will get.
        self._active: dict[tuple[str, str], str] = {}

    # -- public entry points -------------------------------------------------------

    def parameter(self, param: ParameterSpec, hint: str) -> str:
        """Type of a parameter, from choices and component props first."""
        expr = self._choice_type(param, open_=param.updatable)
        if expr is None:
            expr = self.map(param.schema, "in", hint)
            precision = param.props.get("precision")
            if expr == "float" and precision == 0:
                expr = "int"
            if expr == "Any":
                expr = self._unknown(param.component, param.props, "in")
        if param.has_default and param.default is None and not _has_none(expr):
            expr = f"{expr} | None"
        return expr

    def returns(self, ret: ReturnSpec, hint: str) -> str:
        # The event that gives this value may also have replaced the component's
        # choices: they are a hint, not a bound, for what comes back.
        expr = self._choice_type(ret, open_=True) if "choices" in ret.props else None
        if expr is None:
            expr = self.map(ret.schema, "out", hint)
        if expr == "float" and ret.props.get("precision") == 0:
            expr = "int"
        if expr == "Any":
            expr = self._unknown(ret.component, ret.props, "out")
        return expr

    def _unknown(self, component: str, props: Mapping[str, Any], direction: Direction) -> str:
        """A value whose schema says nothing: typed from its component, else as JSON
        (counted, so the CLI can warn)."""
        expr = component_value_type(component, props, direction)
        if expr is None:
            self.untyped += 1
            expr = JSON_FALLBACK
        if "JSONValue" in expr:
            self.uses.add("JSONValue")
        return expr

    def _choice_type(self, param: ParameterSpec | ReturnSpec, *, open_: bool) -> str | None:
        """``Literal`` of the choices; with ``open_`` (an event can change them) also
        any other value of their kinds (the docstring lists the initial ones)."""
        choices = choice_values(param)
        if not choices or not all(literal_ok(c) for c in choices):
            return None
        values = [c for c in choices if c is not None]
        parts = [f"Literal[{', '.join(_lit(v) for v in values)}]"] if values else []
        self.uses.add("Literal")
        if param.props.get("allow_custom_value") or open_:
            parts.append("str")
        if open_:
            # An event may replace the choices: any value of the kinds they hold.
            for kind in ("int", "float", "bool"):
                if any(type(v).__name__ == kind for v in values) and kind not in parts:
                    parts.append(kind)
        if None in choices:
            parts.append("None")
        expr = " | ".join(parts) or "None"
        schema = resolve(param.schema, defs_of(param.schema))
        is_list = param.props.get("multiselect") or param.component.lower() == "checkboxgroup" or (
            isinstance(schema, Mapping) and schema.get("type") == "array"
        )
        if is_list:
            return f"list[{expr}]"
        return expr

    # -- the mapper ----------------------------------------------------------------

    def map(self, schema: Any, direction: Direction, hint: str) -> str:
        return self._map(schema, defs_of(schema), direction, hint, 0)

    def _map(
        self, schema: Any, defs: Mapping[str, Any], direction: Direction, hint: str, depth: int
    ) -> str:
        ref = _ref_name(schema)
        if ref is not None and (ref, direction) in self._active:
            return self._active[(ref, direction)]  # recursion: refer to the model itself
        schema = resolve(schema, defs)
        if depth > _MAX_DEPTH or not isinstance(schema, Mapping) or not schema:
            return "Any"
        if is_file_schema(schema, defs):
            name = "FileInput" if direction == "in" else "FileRef"
            self.uses.add(name)
            return name
        kind = schema.get("type")
        if isinstance(kind, Mapping):  # gr.JSON's {"type": {}}
            self.uses.add("JSONValue")
            return "JSONValue"
        for key in ("anyOf", "oneOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                parts = [self._map(b, defs, direction, hint, depth + 1) for b in branches]
                return _union(parts)
        branches = schema.get("allOf")
        if isinstance(branches, list) and len(branches) == 1:
            return self._map(branches[0], defs, direction, hint, depth + 1)
        if "const" in schema and literal_ok(schema["const"]):
            self.uses.add("Literal")
            return "None" if schema["const"] is None else f"Literal[{_lit(schema['const'])}]"
        enum = schema.get("enum")
        if isinstance(enum, list) and enum and all(literal_ok(v) for v in enum):
            values = distinct_values([v for v in enum if v is not None])
            parts = []
            if values:
                self.uses.add("Literal")
                parts.append(f"Literal[{', '.join(_lit(v) for v in values)}]")
            if None in enum:
                parts.append("None")
            return " | ".join(parts)
        if isinstance(kind, list):
            return _union([self._map({**schema, "type": k}, defs, direction, hint, depth + 1)
                           for k in kind if isinstance(k, str)])
        if kind == "string":
            return "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "null":
            return "None"
        if kind == "array":
            prefix = schema.get("prefixItems")
            if isinstance(prefix, list) and prefix:
                inner = ", ".join(self._map(p, defs, direction, hint, depth + 1) for p in prefix)
                return f"tuple[{inner}]"
            items = schema.get("items")
            if isinstance(items, list) and items:
                inner = ", ".join(self._map(p, defs, direction, hint, depth + 1) for p in items)
                return f"tuple[{inner}]"
            return f"list[{self._map(items, defs, direction, hint, depth + 1)}]"
        if kind == "object" or "properties" in schema:
            return self._object(schema, defs, direction, hint, depth, ref)
        return "Any"

    def _object(
        self, schema: Mapping[str, Any], defs: Mapping[str, Any], direction: Direction,
        hint: str, depth: int, ref: str | None = None,
    ) -> str:
        props = schema.get("properties")
        extra = schema.get("additionalProperties", True)
        if not isinstance(props, Mapping) or not props:
            if isinstance(extra, Mapping) and extra:
                return f"dict[str, {self._map(extra, defs, direction, hint, depth + 1)}]"
            return "dict[str, Any]"
        if not all(plain_key(k, ascii_only=self.ascii_names) for k in props):
            return "dict[str, Any]"
        title = schema.get("title") if isinstance(schema.get("title"), str) else None
        name_hint = title or hint
        reserved: str | None = None
        active_key = (ref or "", direction)
        if ref is not None and _self_referencing(ref, defs):
            # A $ref target that refers to itself: name it before walking its fields.
            reserved = self.objects.reserve(name_hint + ("_input" if direction == "in" else ""))
            self._active[active_key] = reserved
        has_files = False
        fields: dict[str, Any] = {}
        try:
            for key, sub in props.items():
                transformed, files = self._transform(
                    sub, defs, direction, f"{name_hint}_{key}", depth + 1
                )
                has_files = has_files or files
                fields[key] = transformed
        finally:
            if reserved is not None:
                del self._active[active_key]
        required = [k for k in schema.get("required", []) if isinstance(k, str) and k in props]
        doc: dict[str, Any] = {"type": "object", "properties": fields}
        if required:
            doc["required"] = required
        if reserved is not None:
            self.objects.defs[reserved] = doc
            name = reserved
        else:
            if direction == "in" and has_files:
                name_hint = f"{name_hint}_input"
            name = self.objects.register(doc, name_hint)
        if has_files:
            self._file_models.add(name)
        return name

    def _transform(
        self, schema: Any, defs: Mapping[str, Any], direction: Direction, hint: str, depth: int
    ) -> tuple[Any, bool]:
        """A datamodel-code-generator-ready sub-schema: nested objects become refs to
        registered models, files and JSON become runtime types."""
        ref = _ref_name(schema)
        if ref is not None and (ref, direction) in self._active:
            return {"$ref": f"#/$defs/{self._active[(ref, direction)]}"}, False
        schema = resolve(schema, defs)
        if depth > _MAX_DEPTH or not isinstance(schema, Mapping) or not schema:
            return {}, False
        if is_file_schema(schema, defs):
            name = "FileInput" if direction == "in" else "FileRef"
            self.uses.add(name)
            return {"customTypePath": f"{RUNTIME}.{name}"}, True
        if isinstance(schema.get("type"), Mapping):
            self.uses.add("JSONValue")
            return {"customTypePath": f"{RUNTIME}.JSONValue"}, False
        out: dict[str, Any] = {}
        files = False
        for key in ("anyOf", "oneOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                parts = []
                for b in branches:
                    t, f = self._transform(b, defs, direction, hint, depth + 1)
                    parts.append(t)
                    files = files or f
                return {"anyOf": parts}, files
        if "const" in schema and literal_ok(schema["const"]):
            return {"const": schema["const"]}, False
        enum = schema.get("enum")
        if isinstance(enum, list) and enum and all(literal_ok(v) for v in enum):
            return {"enum": list(enum)}, False
        kind = schema.get("type")
        if isinstance(kind, str) and kind in ("string", "integer", "number", "boolean", "null"):
            return {"type": kind}, False
        if kind == "array":
            prefix = schema.get("prefixItems")
            if isinstance(prefix, list) and prefix:
                parts = []
                for p in prefix:
                    t, f = self._transform(p, defs, direction, hint, depth + 1)
                    parts.append(t)
                    files = files or f
                return {"type": "array", "prefixItems": parts, "minItems": len(parts),
                        "maxItems": len(parts)}, files
            items, files = self._transform(schema.get("items"), defs, direction, hint, depth + 1)
            out = {"type": "array"}
            if items:
                out["items"] = items
            return out, files
        if kind == "object" or "properties" in schema:
            expr = self._object(schema, defs, direction, hint, depth, ref)
            if expr.startswith("dict["):
                extra = schema.get("additionalProperties", True)
                if isinstance(extra, Mapping) and extra:
                    t, f = self._transform(extra, defs, direction, hint, depth + 1)
                    return {"type": "object", "additionalProperties": t}, f
                return {"type": "object"}, False
            return {"$ref": f"#/$defs/{expr}"}, expr in self._file_models
        return {}, False


def _self_referencing(ref: str, defs: Mapping[str, Any]) -> bool:
    target = defs.get(ref.rsplit("/", 1)[-1])
    return target is not None and json.dumps(ref) in json.dumps(target)


def _ref_name(schema: Any) -> str | None:
    if isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
        return str(schema["$ref"])
    return None


def _lit(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("non-finite float in a Literal")
    return pyliteral(value)


def _has_none(expr: str) -> bool:
    return expr == "None" or expr.endswith("| None") or "| None |" in expr


def _union(parts: list[str]) -> str:
    flat: list[str] = []
    for part in parts:
        for piece in _split_union(part):
            if piece not in flat:
                flat.append(piece)
    if "Any" in flat:
        return "Any"
    if "None" in flat:
        flat = [p for p in flat if p != "None"] + ["None"]
    return " | ".join(flat) if flat else "Any"


def _split_union(expr: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current = ""
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch in "'\"":
            end = _string_end(expr, i)
            current += expr[i:end]
            i = end
            continue
        if depth == 0 and expr.startswith(" | ", i):
            parts.append(current)
            current = ""
            i += 3
            continue
        current += ch
        i += 1
    parts.append(current)
    return [p for p in parts if p]


def _string_end(expr: str, start: int) -> int:
    quote = expr[start]
    i = start + 1
    while i < len(expr):
        if expr[i] == "\\":
            i += 2
            continue
        if expr[i] == quote:
            return i + 1
        i += 1
    return len(expr)
