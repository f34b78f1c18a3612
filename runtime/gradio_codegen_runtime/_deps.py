"""What an app's ``/config`` says about its events, read defensively (every value may
be missing or of another type): which event of an API name ``/info`` describes, an
event's visibility, and which input a ``.stream()`` event streams. ``spec.py`` builds
endpoints from these."""

from __future__ import annotations

import math
from typing import Any, Literal, Mapping, Sequence

__all__ = [
    "MEDIA", "Visibility", "as_list", "described", "index_or_none", "seconds", "str_or_none",
    "stream_input", "streams", "visibility",
]

Visibility = Literal["public", "undocumented"]


def visibility(item: Mapping[str, Any]) -> Visibility | None:
    """An /info entry's or a dependency's visibility (None: it does not say)."""
    if item.get("api_visibility") == "undocumented" or item.get("show_api") is False:
        return "undocumented"
    if item.get("api_visibility") == "public" or item.get("show_api") is True:
        return "public"
    return None


def described(deps: Sequence[Mapping[str, Any]], named: Mapping[str, Any]) -> set[int]:
    """Indices of the dependencies /info describes, one per API name.

    A Blocks rendered into another can leave two events with one API name (a public
    one and an undocumented one); /info describes only one of them. It is the one whose
    visibility the entry states (the public one when it states none), else the last one,
    as /info keeps the last event of a name."""
    by_name: dict[str, list[int]] = {}
    for index, dep in enumerate(deps):
        api_name = dep.get("api_name")
        if isinstance(api_name, str) and api_name and api_name != "false" and (
            dep.get("api_visibility") != "private"
        ):
            by_name.setdefault(api_name, []).append(index)
    described: set[int] = set()
    for api_name, indices in by_name.items():
        entry = named.get("/" + api_name)
        wanted = (visibility(entry) if isinstance(entry, Mapping) else None) or "public"
        matching = [i for i in indices if (visibility(deps[i]) or "public") == wanted]
        described.add((matching or indices)[-1])
    return described


MEDIA = ("audio", "video")


def streams(component: Mapping[str, Any] | None) -> bool:
    props = component.get("props") if component else None
    return isinstance(props, Mapping) and props.get("streaming") is True


def seconds(value: Any) -> float | None:
    """A duration from /config: a finite, non-negative number, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    seconds = float(value)
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def index_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def stream_input(
    dep: Mapping[str, Any], api_ids: Sequence[Any], components: Mapping[Any, Mapping[str, Any]]
) -> int | None:
    """The parameter a ``.stream()`` event streams: the input that triggers it."""
    if dep.get("connection") != "stream":
        return None
    for target in as_list(dep.get("targets")):
        if isinstance(target, (list, tuple)) and len(target) == 2 and target[1] == "stream":
            if target[0] in api_ids:
                return api_ids.index(target[0])
    for i, cid in enumerate(api_ids):
        if streams(components.get(cid)):
            return i
    return None


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
