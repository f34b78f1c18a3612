"""Apply the generator output diffs that Gradio sends from protocol ``sse_v2`` on."""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["apply_diff"]


def apply_diff(value: Any, diff: list[Any]) -> Any:
    """Return ``value`` with a list of ``[action, path, value]`` edits applied.

    Actions are ``replace``, ``append`` (string or list concatenation), ``add`` (insert
    into a list or set a dict key) and ``delete``. ``value`` is not modified.
    """
    result = copy.deepcopy(value)
    for action, path, new in diff:
        result = _apply_one(result, action, list(path), new)
    return result


def _apply_one(target: Any, action: str, path: list[Any], new: Any) -> Any:
    if not path:
        if action == "replace":
            return new
        if action == "append":
            return target + new
        raise ValueError(f"cannot {action!r} at the root of an output")
    parent = target
    for key in path[:-1]:
        parent = parent[_key(parent, key)]
    last = _key(parent, path[-1])
    if action == "replace":
        parent[last] = new
    elif action == "append":
        parent[last] += new
    elif action == "add":
        if isinstance(parent, list):
            parent.insert(last, new)
        else:
            parent[last] = new
    elif action == "delete":
        del parent[last]
    else:
        raise ValueError(f"unknown diff action {action!r}")
    return target


def _key(container: Any, key: Any) -> Any:
    return int(key) if isinstance(container, list) else key
