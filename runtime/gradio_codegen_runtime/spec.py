"""ApiSpec: the one normalized, JSON-serialisable description of a Gradio app's API.

Built from the app's ``/config`` and ``/info`` (see ``build_spec``), saved as
``schema.json`` in every generated package, and read back by ``load_spec``; generating
from a saved spec gives the same bytes as generating from the live app. Every string in
it came from the app and is untrusted: it reaches generated code only through ``repr()``
or the identifier sanitizer. This module uses the standard library only, because the
runtime's generic client builds endpoints from it too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Sequence

from . import _deps
from ._deps import Visibility
from ._old_info import OLD_PROTOCOLS, config_default, normalize_info, unqueued_fns

__all__ = [
    "SPEC_FORMAT",
    "ApiSpec",
    "EndpointSpec",
    "ParameterSpec",
    "ReturnSpec",
    "SpecError",
    "build_spec",
    "dump_spec",
    "load_spec",
    "spec_hash",
]

#: Version of the schema.json layout; bump when fields change meaning.
SPEC_FORMAT = 1

#: Component props from /config that matter to types, checks and docs. Anything else
#: (styling, layout) is dropped so the spec stays small and stable.
KEPT_PROPS: tuple[str, ...] = (
    "allow_custom_value",
    "choices",
    "file_count",
    "file_types",
    "format",
    "info",
    "max_choices",
    "maximum",
    "minimum",
    "multiselect",
    "precision",
    "step",
    "type",
)

#: Component types that never carry an API value (State, ``gr.Variable`` before 3.2,
#: keeps per-session data server side; the layout blocks never take part in events but
#: are listed for old configs).
SKIPPED_COMPONENTS = frozenset(
    {"state", "variable", "browserstate", "row", "column", "tabs", "tab", "tabitem", "box",
     "form", "accordion", "group", "interpretation", "sidebar"}
)



class SpecError(ValueError):
    """The app's /config or /info, or a saved schema, cannot be understood."""


@dataclass(frozen=True)
class ParameterSpec:
    """One API input of an endpoint, as the app describes it."""

    name: str | None
    label: str | None
    component: str
    schema: Any
    python_type: str | None = None
    description: str | None = None
    has_default: bool = False
    default: Any = None
    example: Any = None
    props: Mapping[str, Any] = field(default_factory=dict)
    #: Some event of the app lists this component among its outputs, so its choices
    #: and range in ``props`` are only the initial ones (absent in older schemas).
    updatable: bool = False


@dataclass(frozen=True)
class ReturnSpec:
    """One API output of an endpoint."""

    label: str | None
    component: str
    schema: Any
    python_type: str | None = None
    description: str | None = None
    props: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EndpointSpec:
    """A named endpoint: where it sits on the wire and what it takes and gives."""

    api_name: str
    fn_index: int
    parameters: tuple[ParameterSpec, ...]
    returns: tuple[ReturnSpec, ...]
    #: For each input of the dependency: index into ``parameters``, or None for a slot
    #: the API hides (``gr.State``), which is sent as null.
    input_slots: tuple[int | None, ...]
    #: For each output of the dependency: index into ``returns``, or None (dropped).
    output_slots: tuple[int | None, ...]
    generator: bool = False
    visibility: Visibility = "public"
    description: str | None = None
    queue: bool | None = True
    oauth_token: str | None = None
    #: ``.stream()`` events (``connection: "stream"``): the index in ``parameters`` of
    #: the streamed input, and the app's ``stream_every`` / ``time_limit`` seconds.
    stream_input: int | None = None
    stream_every: float | None = None
    time_limit: float | None = None
    #: Indexes in ``returns`` of outputs streamed as HLS (``streaming=True`` media).
    stream_outputs: tuple[int, ...] = ()


#: EndpointSpec fields left out of schema.json while at their default, so saved
#: schemas of apps without streaming keep their bytes (and hashes).
_OMITTED_AT_DEFAULT = {"stream_input": None, "stream_every": None, "time_limit": None,
                       "stream_outputs": ()}


@dataclass(frozen=True)
class ApiSpec:
    """Everything the generator and the runtime need to know about one app."""

    host: str
    api_prefix: str
    protocol: str
    gradio_version: str
    endpoints: tuple[EndpointSpec, ...]
    source: str = ""
    space_id: str | None = None
    max_file_size: int | None = None
    format: int = SPEC_FORMAT

    def endpoint(self, api_name: str) -> EndpointSpec:
        """Return the endpoint called ``api_name`` (with or without a leading slash)."""
        wanted = api_name.lstrip("/")
        for endpoint in self.endpoints:
            if endpoint.api_name == wanted:
                return endpoint
        names = ", ".join("/" + e.api_name for e in self.endpoints) or "none"
        raise KeyError(f"no endpoint {api_name!r}; this app has: {names}")


# -- building from a live app -------------------------------------------------------


def build_spec(
    config: Mapping[str, Any],
    info: Mapping[str, Any],
    *,
    host: str,
    source: str = "",
    space_id: str | None = None,
) -> ApiSpec:
    """Normalize an app's ``/config`` and ``/info`` into an ApiSpec.

    Private endpoints (``api_visibility == "private"`` or ``api_name`` false) never
    appear, whatever ``info`` lists.
    """
    if not isinstance(config, Mapping) or not isinstance(info, Mapping):
        raise SpecError("config and info must be JSON objects")
    protocol = str(config.get("protocol") or "ws")
    if protocol in OLD_PROTOCOLS:
        info = normalize_info(config, info)
    components = {
        c.get("id"): c
        for c in _deps.as_list(config.get("components"))
        if isinstance(c, Mapping)
    }
    deps = [d for d in _deps.as_list(config.get("dependencies")) if isinstance(d, Mapping)]
    # Any event that runs Python, with an API name or not, may change these components'
    # props (choices, range); JavaScript-only events (an Interface's Clear) set values.
    updated = {
        cid
        for d in deps
        if d.get("backend_fn") is not False
        for cid in _deps.as_list(d.get("outputs"))
        if isinstance(cid, int)
    }
    named = info.get("named_endpoints") or {}
    if not isinstance(named, Mapping):
        raise SpecError("/info has no named_endpoints object")
    endpoints: list[EndpointSpec] = []
    described = _deps.described(deps, named)
    for index, dep in enumerate(deps):
        api_name = dep.get("api_name")
        if index not in described:
            continue
        entry = named.get(f"/{api_name}")
        if not isinstance(entry, Mapping):
            continue  # not documented in /info: hidden from the API
        if entry.get("api_visibility") == "private":
            continue
        endpoints.append(
            _endpoint(dep, index, entry, components, updated, protocol in OLD_PROTOCOLS)
        )
    if protocol == "ws":  # 3.x: the queue is per app and per event
        unqueued = unqueued_fns(config)
        endpoints = [dataclasses.replace(e, queue=e.fn_index not in unqueued) for e in endpoints]
    endpoints.sort(key=lambda e: (e.api_name, e.fn_index))
    max_size = config.get("max_file_size")
    return ApiSpec(
        host=host.rstrip("/"),
        api_prefix=str(config.get("api_prefix") or "").rstrip("/"),
        protocol=protocol,
        gradio_version=str(config.get("version") or "unknown").strip(),
        endpoints=tuple(endpoints),
        source=source,
        space_id=(
            space_id if space_id is not None else _deps.str_or_none(config.get("space_id"))
        ),
        max_file_size=max_size if isinstance(max_size, int) and max_size > 0 else None,
    )


def _endpoint(
    dep: Mapping[str, Any],
    index: int,
    entry: Mapping[str, Any],
    components: Mapping[Any, Mapping[str, Any]],
    updated: set[int] | frozenset[int] = frozenset(),
    old: bool = False,
) -> EndpointSpec:
    params_info = [p for p in _deps.as_list(entry.get("parameters")) if isinstance(p, Mapping)]
    returns_info = [r for r in _deps.as_list(entry.get("returns")) if isinstance(r, Mapping)]
    input_ids = _deps.as_list(dep.get("inputs"))
    output_ids = _deps.as_list(dep.get("outputs"))
    input_slots = _slots(input_ids, components, len(params_info))
    output_slots = _slots(output_ids, components, len(returns_info))
    api_ids = [cid for cid, slot in zip(input_ids, input_slots) if slot is not None]
    out_api_ids = [cid for cid, slot in zip(output_ids, output_slots) if slot is not None]
    param_components = [
        components.get(api_ids[i]) if i < len(api_ids) else None for i in range(len(params_info))
    ]
    if old:  # before 4.23: defaults from /config
        params_info = [config_default(p, c) for p, c in zip(params_info, param_components)]
    parameters = tuple(
        _parameter(
            p,
            param_components[i],
            i < len(api_ids) and isinstance(api_ids[i], int) and api_ids[i] in updated,
        )
        for i, p in enumerate(params_info)
    )
    returns = tuple(
        _return(r, components.get(out_api_ids[i]) if i < len(out_api_ids) else None)
        for i, r in enumerate(returns_info)
    )
    raw_types = dep.get("types")
    types: Mapping[str, Any] = raw_types if isinstance(raw_types, Mapping) else {}
    visibility: Visibility = "public"
    if "undocumented" in (_deps.visibility(entry), _deps.visibility(dep)):
        visibility = "undocumented"
    fn_index = dep.get("id")
    oauth = entry.get("oauth_token")
    queue = dep.get("queue")
    stream_input = _deps.stream_input(dep, api_ids, components)
    return EndpointSpec(
        api_name=str(dep["api_name"]),
        fn_index=fn_index if isinstance(fn_index, int) else index,
        parameters=parameters,
        returns=returns,
        input_slots=input_slots,
        output_slots=output_slots,
        generator=bool(types.get("generator")),
        visibility=visibility,
        description=_deps.str_or_none(entry.get("description")) or None,
        queue=queue if isinstance(queue, bool) else None,
        oauth_token=oauth if oauth in ("required", "optional") else None,
        stream_input=stream_input,
        stream_every=None if stream_input is None else _deps.seconds(dep.get("stream_every")),
        time_limit=None if stream_input is None else _deps.seconds(dep.get("time_limit")),
        stream_outputs=tuple(
            i for i, cid in enumerate(out_api_ids[: len(returns)])
            if _deps.streams(components.get(cid))
            and returns[i].component.lower() in _deps.MEDIA
        ),
    )


def _slots(
    ids: Sequence[Any], components: Mapping[Any, Mapping[str, Any]], n_api: int
) -> tuple[int | None, ...]:
    """Map dependency component ids to API positions, skipping State-like slots."""
    slots: list[int | None] = []
    next_api = 0
    for cid in ids:
        comp = components.get(cid, {})
        skipped = bool(comp.get("skip_api")) or str(comp.get("type", "")).lower() in (
            SKIPPED_COMPONENTS
        )
        if skipped or next_api >= n_api:
            slots.append(None)
        else:
            slots.append(next_api)
            next_api += 1
    if next_api != n_api:
        # /info and /config disagree (custom components); trust /info's count.
        slots = list(range(n_api)) + [None] * max(0, len(ids) - n_api)
    return tuple(slots)


def _props(component: Mapping[str, Any] | None) -> dict[str, Any]:
    if not component:
        return {}
    props = component.get("props")
    if not isinstance(props, Mapping):
        return {}
    return {k: props[k] for k in KEPT_PROPS if k in props and props[k] is not None}


def _python_type(entry: Mapping[str, Any]) -> tuple[str | None, str | None]:
    ptype = entry.get("python_type")
    if isinstance(ptype, Mapping):
        return (
            _deps.str_or_none(ptype.get("type")), _deps.str_or_none(ptype.get("description"))
        )
    return None, None


def _parameter(
    entry: Mapping[str, Any], component: Mapping[str, Any] | None, updatable: bool = False
) -> ParameterSpec:
    ptype, pdesc = _python_type(entry)
    return ParameterSpec(
        name=_deps.str_or_none(entry.get("parameter_name")),
        label=_deps.str_or_none(entry.get("label")),
        component=str(entry.get("component") or "Component"),
        schema=entry.get("type", {}),
        python_type=ptype,
        description=pdesc or None,
        has_default=bool(entry.get("parameter_has_default", False)),
        default=entry.get("parameter_default"),
        example=entry.get("example_input"),
        props=_props(component),
        updatable=updatable,
    )


def _return(entry: Mapping[str, Any], component: Mapping[str, Any] | None) -> ReturnSpec:
    ptype, pdesc = _python_type(entry)
    return ReturnSpec(
        label=_deps.str_or_none(entry.get("label")),
        component=str(entry.get("component") or "Component"),
        schema=entry.get("type", {}),
        python_type=ptype,
        description=pdesc or None,
        props=_props(component),
    )


# -- (de)serialization ---------------------------------------------------------------


def spec_to_dict(spec: ApiSpec) -> dict[str, Any]:
    """The JSON-ready form of a spec."""
    data = dataclasses.asdict(spec)
    for endpoint in data["endpoints"]:
        for key, default in _OMITTED_AT_DEFAULT.items():
            if endpoint.get(key) == default:
                endpoint.pop(key, None)
        for parameter in endpoint["parameters"]:
            if not parameter.get("updatable"):
                parameter.pop("updatable", None)  # as above: most components are static
    return data


def dump_spec(spec: ApiSpec) -> str:
    """Canonical JSON text of a spec (field order as the app sent it)."""
    return json.dumps(spec_to_dict(spec), indent=1, ensure_ascii=True) + "\n"


def spec_hash(spec: ApiSpec) -> str:
    """sha256 of the canonical JSON, recorded in generated headers for ``--check``."""
    return hashlib.sha256(dump_spec(spec).encode()).hexdigest()


def load_spec(data: str | bytes | Mapping[str, Any]) -> ApiSpec:
    """Read a spec back from ``dump_spec`` output (text or parsed JSON)."""
    try:
        raw = json.loads(data) if isinstance(data, (str, bytes)) else data
    except ValueError as exc:
        raise SpecError(f"schema file is not valid JSON: {exc}") from None
    if not isinstance(raw, Mapping):
        raise SpecError("schema file must hold a JSON object")
    fmt = raw.get("format")
    if fmt != SPEC_FORMAT:
        raise SpecError(
            f"schema format {fmt!r} is not supported (this gradio-codegen reads format "
            f"{SPEC_FORMAT}); regenerate it from the app"
        )
    try:
        endpoints = tuple(_load_endpoint(e) for e in raw["endpoints"])
        return ApiSpec(
            host=str(raw["host"]),
            api_prefix=str(raw.get("api_prefix") or ""),
            protocol=str(raw["protocol"]),
            gradio_version=str(raw["gradio_version"]),
            endpoints=endpoints,
            source=str(raw.get("source") or ""),
            space_id=_deps.str_or_none(raw.get("space_id")),
            max_file_size=raw.get("max_file_size"),
            format=SPEC_FORMAT,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise SpecError(f"schema file is malformed: missing or wrong field {exc}") from None


def _load_endpoint(raw: Mapping[str, Any]) -> EndpointSpec:
    return EndpointSpec(
        api_name=str(raw["api_name"]),
        fn_index=int(raw["fn_index"]),
        parameters=tuple(ParameterSpec(**p) for p in raw["parameters"]),
        returns=tuple(ReturnSpec(**r) for r in raw["returns"]),
        input_slots=tuple(raw["input_slots"]),
        output_slots=tuple(raw["output_slots"]),
        generator=bool(raw.get("generator", False)),
        visibility=raw.get("visibility", "public"),
        description=raw.get("description"),
        queue=raw.get("queue"),
        oauth_token=raw.get("oauth_token"),
        stream_input=_deps.index_or_none(raw.get("stream_input")),
        stream_every=_deps.seconds(raw.get("stream_every")),
        time_limit=_deps.seconds(raw.get("time_limit")),
        stream_outputs=tuple(
            i
            for i in map(_deps.index_or_none, _deps.as_list(raw.get("stream_outputs")))
            if i is not None
        ),
    )
