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

__all__ = ["NameAllocator", "class_name", "identifier", "snake_case"]

_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(
    dir(builtins)
) | frozenset({"self", "cls", "typing", "annotations"})


def snake_case(text: str) -> str:
    """ASCII snake_case of arbitrary text (non-ASCII letters are transliterated or dropped)."""
    text = unicodedata.normalize("NFKD", str(text))
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


def class_name(text: str | None, fallback: str = "Model") -> str:
    """A valid PascalCase class name for ``text``."""
    words = snake_case(text or "").split("_")
    name = "".join(w[:1].upper() + w[1:] for w in words if w) or fallback
    if name[0].isdigit():
        name = fallback + name
    if name in _RESERVED:
        name = name + "_"
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
