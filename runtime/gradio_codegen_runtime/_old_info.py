"""API info of old Gradio apps (3.x and 4.0-4.22) in the shape ``build_spec`` reads.

Old ``/info`` answers differ from today's: 3.x describes files as its own
``{name, data, is_file}`` dicts (or a path string), 4.0-4.20 as FileData without the
``meta`` marker, and no version before 4.23 names parameters. Some 3.x apps have no
``/info`` at all. ``normalize_info`` rewrites file schemas to today's FileData (the
runtime translates the wire values, ``runtime/_old_wire.py``) and fills in, from
``/config``, every named endpoint ``/info`` lacks: parameter types then come from the
component types and their labels. Standard library only, like ``spec``.
"""

from __future__ import annotations

from typing import Any, Mapping

__all__ = [
    "FILE_DATA_SCHEMA", "OLD_PROTOCOLS", "config_default", "config_suffices", "normalize_info",
    "release_of", "unqueued_fns",
]

#: Protocols of servers older than 4.9.
OLD_PROTOCOLS = frozenset({"sse", "ws"})

_NULLABLE_STR = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
#: Today's FileData schema (as gradio 4.44's /info gives it).
FILE_DATA_SCHEMA: dict[str, Any] = {
    "properties": {
        "path": {"title": "Path", "type": "string"},
        "url": {**_NULLABLE_STR, "title": "Url"},
        "size": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None,
                 "title": "Size"},
        "orig_name": {**_NULLABLE_STR, "title": "Orig Name"},
        "mime_type": {**_NULLABLE_STR, "title": "Mime Type"},
        "is_stream": {"default": False, "title": "Is Stream", "type": "boolean"},
        "meta": {"default": {"_type": "gradio.FileData"}, "title": "Meta", "type": "object"},
    },
    "required": ["path"],
    "title": "FileData",
    "type": "object",
}

#: Value schemas of 3.x components, for apps whose /info does not describe them.
_COMPONENT_SCHEMAS: dict[str, Any] = {
    "textbox": {"type": "string"},
    "number": {"type": "number"},
    "slider": {"type": "number"},
    "checkbox": {"type": "boolean"},
    "radio": {"type": "string"},
    "dropdown": {"type": "string"},
    "checkboxgroup": {"type": "array", "items": {"type": "string"}},
    "code": {"type": "string"},
    "colorpicker": {"type": "string"},
    "markdown": {"type": "string"},
    "html": {"type": "string"},
    "image": {"type": "string", "description": "base64 representation of an image"},
    "file": FILE_DATA_SCHEMA,
    "audio": FILE_DATA_SCHEMA,
    "model3d": FILE_DATA_SCHEMA,
}
_SKIPPED = frozenset(
    {"state", "variable", "row", "column", "tabs", "tab", "tabitem", "box", "form",
     "accordion", "group", "interpretation", "dataset"}
)
_MAX_DEPTH = 16


def normalize_info(config: Mapping[str, Any], info: Mapping[str, Any]) -> dict[str, Any]:
    """``info`` with today's file schemas, plus the named endpoints only ``config``
    describes (3.x apps without ``/info``, or with endpoints it skipped)."""
    named_in = info.get("named_endpoints")
    named: dict[str, Any] = dict(named_in) if isinstance(named_in, Mapping) else {}
    components = {
        c.get("id"): c for c in _list(config.get("components")) if isinstance(c, Mapping)
    }
    if config.get("protocol") in (None, "ws"):
        for dep in _list(config.get("dependencies")):
            if not isinstance(dep, Mapping) or not dep.get("backend_fn", True):
                continue
            name = dep.get("api_name")
            if isinstance(name, str) and name and "/" + name not in named:
                named["/" + name] = _from_config(dep, components)
    is_3x = config.get("protocol") in (None, "ws")
    return {
        **info,
        "named_endpoints": {key: _modern_entry(entry, is_3x) for key, entry in named.items()},
    }


#: Components whose initial value in /config is a plain value a call may send as is.
_PLAIN_VALUED = frozenset(
    {"textbox", "number", "slider", "checkbox", "radio", "dropdown", "checkboxgroup",
     "colorpicker", "code"}
)


def config_default(
    entry: Mapping[str, Any], component: Mapping[str, Any] | None
) -> Mapping[str, Any]:
    """``entry`` with the default 4.23 and later give in ``/info`` (the component's
    initial value, when it has one), taken from ``/config``: before 4.23 ``/info`` has
    none. Only plain values (text, numbers, choices); file and media values stay
    required, as their old wire forms differ from what the SDK sends. An empty text is
    how old versions store "no value" (later ones give ``None``, hence no default)."""
    if "parameter_has_default" in entry or not component:
        return entry
    props = component.get("props")
    value = props.get("value") if isinstance(props, Mapping) else None
    if str(component.get("type") or "").lower() not in _PLAIN_VALUED or value in (None, ""):
        return entry
    if isinstance(value, list) and not all(isinstance(v, (str, int, float)) for v in value):
        return entry
    if not isinstance(value, (str, int, float, bool, list)):
        return entry
    return {**entry, "parameter_has_default": True, "parameter_default": value}


def config_suffices(protocol: str | None, status_code: int) -> bool:
    """Whether a failed ``/info`` may be replaced by ``/config`` alone: only on 3.x
    (``ws``), where early apps have no ``/info`` (404) and any app with a component
    class 3.x's serializers do not know (a custom component or a subclass) makes
    ``/info`` fail (500, ``KeyError`` in the server)."""
    return protocol == "ws" and (status_code == 404 or status_code >= 500)


def release_of(version: str) -> tuple[int, ...] | None:
    """The numbers of a ``/config`` version (``"3.14.0"`` -> ``(3, 14, 0)``, ``"3.9"``
    -> ``(3, 9)``), which tell 3.x's routes apart; None when it has none (3.0)."""
    numbers: list[int] = []
    for part in version.strip().split("."):
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            break
        numbers.append(int(digits))
        if len(digits) < len(part):  # "1b2": a pre-release, the numbers end here
            break
    return tuple(numbers) if numbers else None


def unqueued_fns(config: Mapping[str, Any]) -> tuple[int, ...]:
    """fn_indexes a 3.x app runs without its queue (called by ``POST /run/predict``):
    the dependency's ``queue`` flag, else the app's ``enable_queue`` (3.x queues only
    after ``demo.queue()``). Empty for every later version, which always queues."""
    if config.get("protocol") not in (None, "ws"):
        return ()
    enabled = bool(config.get("enable_queue"))
    found: list[int] = []
    for index, dep in enumerate(_list(config.get("dependencies"))):
        if not isinstance(dep, Mapping):
            continue
        queue = dep.get("queue")
        if not (queue if isinstance(queue, bool) else enabled):
            fn_index = dep.get("id", index)
            found.append(fn_index if isinstance(fn_index, int) else index)
    return tuple(found)


def _from_config(
    dep: Mapping[str, Any], components: Mapping[Any, Mapping[str, Any]]
) -> dict[str, Any]:
    def describe(ids: Any, what: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for cid in _list(ids):
            comp = components.get(cid)
            if comp is None:
                continue
            kind = str(comp.get("type") or "").lower()
            if kind in _SKIPPED:
                continue
            props = comp.get("props")
            props = props if isinstance(props, Mapping) else {}
            label = props.get("label")
            schema = _COMPONENT_SCHEMAS.get(kind, {})
            if kind == "file" and props.get("file_count", "single") != "single":
                schema = {"type": "array", "items": FILE_DATA_SCHEMA}
            out.append({
                "label": label if isinstance(label, str) else f"{what}_{cid}",
                "type": schema,
                "component": kind.capitalize() or "Component",
            })
        return out

    return {
        "parameters": describe(dep.get("inputs"), "parameter"),
        "returns": describe(dep.get("outputs"), "value"),
    }


def _modern_entry(entry: Any, is_3x: bool) -> Any:
    """3.x's ``python_type`` describes gradio_client 0.x's own form of a value (e.g.
    "filepath to JSON file" for a Chatbot), not the value the SDK passes: dropped."""
    if not isinstance(entry, Mapping):
        return entry
    out = dict(entry)
    for key in ("parameters", "returns"):
        items = entry.get(key)
        if isinstance(items, list):
            out[key] = [_modern_item(item, is_3x) for item in items]
    return out


def _modern_item(item: Any, is_3x: bool) -> Any:
    if not isinstance(item, Mapping):
        return item
    out = {k: v for k, v in item.items() if not (is_3x and k == "python_type")}
    out["type"] = _modern_schema(item.get("type"))
    return out


def _is_old_file(schema: Mapping[str, Any]) -> bool:
    """A 3.x file dict, or a 4.0-4.20 FileData (no ``meta`` yet)."""
    props = schema.get("properties")
    if not isinstance(props, Mapping):
        return False
    if "name" in props and "is_file" in props:
        return True
    return "path" in props and "meta" not in props and schema.get("title") in (
        "FileData", "ImageData"
    )


def _modern_schema(schema: Any, depth: int = 0) -> Any:
    """Replace old file schemas (and 3.x "path or file dict" unions) by FileData."""
    if depth > _MAX_DEPTH:
        return schema
    if isinstance(schema, list):
        return [_modern_schema(s, depth + 1) for s in schema]
    if not isinstance(schema, Mapping):
        return schema
    if _is_old_file(schema):
        return FILE_DATA_SCHEMA
    for key in ("oneOf", "anyOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and any(
            isinstance(b, Mapping) and _is_old_file(b) for b in branches
        ):
            return FILE_DATA_SCHEMA
    return {k: _modern_schema(v, depth + 1) for k, v in schema.items()}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []
