"""Small helpers over Gradio's JSON Schema dialect, shared by runtime and generator.

Gradio's schemas are not always valid JSON Schema: gr.JSON says ``{"type": {}}``,
sub-schemas may be booleans, ``$ref`` points into a top-level ``$defs``. Every helper
here accepts anything and never raises on odd input.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

__all__ = ["PathKey", "defs_of", "file_paths", "is_file_schema", "resolve"]

PathKey = str | int
_MAX_DEPTH = 12


def resolve(schema: Any, defs: Mapping[str, Any]) -> Any:
    """Follow ``$ref`` links into ``defs`` (bounded, cycle-safe)."""
    seen = 0
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str) and seen < 16:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in defs:
            return {}
        schema = defs[name]
        seen += 1
    return schema


def defs_of(schema: Any) -> Mapping[str, Any]:
    """The ``$defs`` (or legacy ``definitions``) of a top-level schema."""
    if isinstance(schema, Mapping):
        for key in ("$defs", "definitions"):
            value = schema.get(key)
            if isinstance(value, Mapping):
                return value
    return {}


def is_file_schema(schema: Any, defs: Mapping[str, Any] | None = None) -> bool:
    """True for Gradio's FileData/ImageData object schemas (a file on the wire)."""
    defs = defs if defs is not None else defs_of(schema)
    schema = resolve(schema, defs)
    if not isinstance(schema, Mapping):
        return False
    props = schema.get("properties")
    if not isinstance(props, Mapping) or "path" not in props or "meta" not in props:
        return False
    meta = resolve(props["meta"], defs)
    if not isinstance(meta, Mapping):
        return False
    default = meta.get("default")
    if isinstance(default, Mapping) and default.get("_type") == "gradio.FileData":
        return True
    meta_props = meta.get("properties")
    if isinstance(meta_props, Mapping):
        marker = meta_props.get("_type")
        if isinstance(marker, Mapping) and marker.get("const") == "gradio.FileData":
            return True
    return schema.get("title") in ("FileData", "ImageData")


def file_paths(schema: Any) -> tuple[tuple[PathKey, ...], ...]:
    """Where files sit inside values of ``schema``: ``()`` is the value itself,
    ``"*"`` any list item, a string an object key, an int a tuple position."""
    defs = defs_of(schema)
    found = sorted(set(_walk(schema, defs, (), 0)), key=lambda p: (len(p), repr(p)))
    return tuple(found)


def _walk(
    schema: Any, defs: Mapping[str, Any], path: tuple[PathKey, ...], depth: int
) -> Iterator[tuple[PathKey, ...]]:
    if depth > _MAX_DEPTH:
        return
    schema = resolve(schema, defs)
    if not isinstance(schema, Mapping):
        return
    if is_file_schema(schema, defs):
        yield path
        return
    for key in ("anyOf", "oneOf", "allOf"):
        branches = schema.get(key)
        if isinstance(branches, list):
            for branch in branches:
                yield from _walk(branch, defs, path, depth + 1)
    prefix = schema.get("prefixItems")
    if isinstance(prefix, list):
        for i, item in enumerate(prefix):
            yield from _walk(item, defs, path + (i,), depth + 1)
    items = schema.get("items")
    if isinstance(items, Mapping):
        yield from _walk(items, defs, path + ("*",), depth + 1)
    elif isinstance(items, list):
        for i, item in enumerate(items):
            yield from _walk(item, defs, path + (i,), depth + 1)
    props = schema.get("properties")
    if isinstance(props, Mapping):
        for name, sub in props.items():
            if isinstance(name, str):
                yield from _walk(sub, defs, path + (name,), depth + 1)
