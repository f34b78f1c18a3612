"""Identifier sanitizer: untrusted names from a schema become safe, stable Python names.

Every name an app chooses (endpoint names, parameter names, labels, object keys) goes
through here before it can appear as code. The result is always a valid identifier,
never a keyword or shadowed builtin, and collisions get ``_2``, ``_3`` in input order.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from typing import Iterable

__all__ = ["TYPE_NAMES", "NameAllocator", "class_name", "identifier", "plain_key", "snake_case"]

_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(
    dir(builtins)
) | frozenset({"self", "cls", "typing", "annotations"})


#: Names generated type modules import or define; classes from schemas never take them.
TYPE_NAMES = frozenset(
    {"Any", "Literal", "NamedTuple", "TypeAlias", "TypedDict", "NotRequired", "Required",
     "Union", "Optional", "FileInput", "FileRef", "JSONValue", "NotGiven", "Endpoint",
     "Param", "ServerInfo", "Client", "AsyncClient", "Job", "AsyncJob", "Status",
     "GradioError", "AppError", "CancelledError", "ValidationError"}
)


def snake_case(text: str) -> str:
    """ASCII snake_case of arbitrary text (non-ASCII letters are transliterated or dropped)."""
    # Separators and punctuation of any script split words, like ASCII ones.
    text = "".join(
        ch if unicodedata.category(ch)[0] in "LN" else " " for ch in str(text)
    )
    text = unicodedata.normalize("NFKD", text)
    text = text.encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower()
    return re.sub(r"_+", "_", text)


def identifier(text: str | None, fallback: str = "value", reserved: Iterable[str] = ()) -> str:
    """A valid, non-reserved snake_case identifier for ``text``."""
    name = snake_case(text or "") or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if name in _RESERVED or name in set(reserved) or name.startswith("__"):
        name = name + "_"
    return name


#: Names a TypedDict field must not take: they would shadow the types its class body
#: annotates with.
_SHADOWING = frozenset(
    {"str", "int", "float", "bool", "list", "dict", "tuple", "bytes", "object"}
)


def plain_key(key: object) -> bool:
    """True when an object key from a schema may be written as a TypedDict field name.

    TypedDicts have no aliases, so a key is only usable verbatim: an ASCII identifier,
    lowercase-initial (never a class or typing name), not a keyword, not a dunder and
    not a type name. ``_type`` (Gradio's FileData marker) is allowed. Other keys make
    the object a plain ``dict``.
    """
    if key == "_type":
        return True
    if not isinstance(key, str) or not key.isascii() or not key.isidentifier():
        return False
    if keyword.iskeyword(key) or keyword.issoftkeyword(key) or key in _SHADOWING:
        return False
    return key[0].islower() and not key.startswith("_")


def class_name(text: str | None, fallback: str = "Model") -> str:
    """A valid PascalCase class name for ``text``."""
    words = snake_case(text or "").split("_")
    name = "".join(w[:1].upper() + w[1:] for w in words if w) or fallback
    if name[0].isdigit():
        name = fallback + name
    if name in _RESERVED or name in TYPE_NAMES:
        name = name + fallback  # not "_": datamodel-code-generator strips underscores
    return name


class NameAllocator:
    """Hands out unique names in a scope, suffixing ``_2``, ``_3`` on collisions."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._taken = set(taken)

    def take(self, name: str) -> str:
        candidate = name
        n = 2
        while candidate in self._taken:
            candidate = f"{name}_{n}"
            n += 1
        self._taken.add(candidate)
        return candidate
