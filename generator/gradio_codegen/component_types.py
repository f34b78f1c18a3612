"""Types of values whose JSON Schema says nothing, from what the component is.

Some components publish an empty schema (``gr.Navbar``'s ``api_info`` is ``{}``; so do
many custom components), and older or custom apps may publish none. Their values still
have a known shape when the component type is a known one; for the rest, every value
crossing the wire is JSON, so ``JSONValue`` is the honest type (never bare ``Any``).
"""

from __future__ import annotations

from typing import Any, Literal, Mapping

__all__ = ["JSON_FALLBACK", "component_value_type"]

#: The type of a value nothing more is known about.
JSON_FALLBACK = "JSONValue"

#: Component (lowercased type name) -> (input type, output type).
_KNOWN: dict[str, tuple[str, str]] = {
    # (page name, page path) pairs; JSON has no tuples, so they come back as lists.
    "navbar": ("list[tuple[str, str]] | None", "list[list[str]] | None"),
    "textbox": ("str", "str"),
    "textarea": ("str", "str"),
    "code": ("str | None", "str | None"),
    "markdown": ("str", "str"),
    "html": ("str", "str"),
    "colorpicker": ("str", "str"),
    "datetime": ("str | float | None", "str | float | None"),
    "number": ("float | None", "float | None"),
    "slider": ("float", "float"),
    "checkbox": ("bool", "bool"),
    "checkboxgroup": ("list[str | int | float]", "list[str | int | float]"),
    "json": ("JSONValue", "JSONValue"),
}


def component_value_type(
    component: str, props: Mapping[str, Any], direction: Literal["in", "out"]
) -> str | None:
    """The value type of ``component`` from its type name and props, or None when the
    component is not one whose value is known."""
    pair = _KNOWN.get(component.lower().replace("_", ""))
    if pair is None:
        return None
    expr = pair[0] if direction == "in" else pair[1]
    if expr.startswith("float") and props.get("precision") == 0:
        expr = "int" + expr[len("float"):]
    return expr
