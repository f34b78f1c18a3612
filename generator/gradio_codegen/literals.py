"""Safe Python source for untrusted values: literals and docstrings.

Schema text reaches generated code only through these functions (or the identifier
sanitizer in ``names``): a value becomes a literal that evaluates back to itself, and
text becomes docstring content that cannot close its string.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from .layout import Group, Node, Pair, flat

__all__ = ["doc_text", "literal_node", "pyliteral", "str_literal"]


def pyliteral(value: Any) -> str:
    """Python source that evaluates to the JSON ``value`` (dicts, lists, scalars)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value):
            return 'float("nan")'
        if math.isinf(value):
            return 'float("inf")' if value > 0 else 'float("-inf")'
        return repr(value).replace("e+", "e")  # black writes 1e16, not 1e+16
    if isinstance(value, str):
        return str_literal(value)
    if isinstance(value, (list, tuple, dict)):
        return flat(literal_node(value))
    return repr(None)


def str_literal(text: str) -> str:
    """``repr(text)`` with the quotes black prefers: double quotes, unless they would
    need more backslashes than single quotes do (so black leaves the literal alone)."""
    single = repr(text)
    if single[0] == '"':
        return single  # repr picked double quotes itself: the text has ' and no "
    # Inside single quotes repr escapes each ' (only when the text also has a ").
    if text.count('"') > text.count("'") * ('"' in text):
        return single
    body = single[1:-1].replace("\\\\", "\0").replace("\\'", "'").replace('"', '\\"')
    return '"' + body.replace("\0", "\\\\") + '"'


def literal_node(value: Any) -> Node:
    """``pyliteral`` as a layout node, so long containers split like black splits them."""
    if isinstance(value, (list, tuple)):
        items = tuple(literal_node(v) for v in value)
        if isinstance(value, tuple):
            return Group("(", items, ")", one_tuple=len(items) == 1)
        return Group("[", items, "]")
    if isinstance(value, dict):
        pairs = tuple(Pair(f"{pyliteral(str(k))}: ", literal_node(v)) for k, v in value.items())
        return Group("{", pairs, "}")
    return pyliteral(value)


def _clean(text: str, keep_newlines: bool) -> str:
    # Lone surrogates cannot be written as UTF-8 source.
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def doc_text(text: Any, limit: int = 2000) -> str:
    """Text safe inside a triple-double-quoted docstring: one logical paragraph per
    line, no control characters, no quote or backslash sequences that could end it."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = _clean(text, keep_newlines=True)
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            out.append(" ")
        else:
            out.append(ch)
    text = "".join(out).replace("\t", "    ")
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return "\n".join(line.rstrip() for line in text.splitlines()).strip()
