"""Endpoint descriptors: what generated code tells the runtime about each endpoint.

A generated SDK holds one ``Endpoint`` per API endpoint, built at generation time from
the app's spec and written out with ``repr()``. The runtime uses it to check
arguments before anything is sent, to lay out the wire ``data`` list (State slots
included), and to shape results.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Generic, Mapping, Sequence, TypeVar

from .schema import PathKey, defs_of, file_paths, is_file_schema, resolve
from .errors import ValidationError

if TYPE_CHECKING:
    from ._stream_plan import StreamInput
    from .spec import EndpointSpec, ParameterSpec, ReturnSpec

__all__ = ["NOT_GIVEN", "Endpoint", "NotGiven", "Param", "endpoint_from_spec"]

T = TypeVar("T")


class NotGiven:
    """Marks an argument the caller left out, distinct from an explicit ``None``."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()

#: Value kinds a parameter accepts; checked before sending.
KINDS = ("any", "bool", "dict", "file", "float", "int", "list", "null", "str")


@dataclass(frozen=True)
class Param:
    """One API parameter: its names, accepted kinds, choices, bounds and file slots."""

    name: str
    kinds: tuple[str, ...] = ("any",)
    wire_name: str | None = None
    has_default: bool = False
    default: Any = None
    choices: tuple[Any, ...] | None = None
    allow_custom: bool = False
    multiselect: bool = False
    minimum: float | None = None
    maximum: float | None = None
    file_paths: tuple[tuple[PathKey, ...], ...] = ()
    file_list: bool = False
    #: An event of the app can change this component: ``choices`` and the range are the
    #: initial ones, documented but not enforced (the server has the last word).
    updatable: bool = False


@dataclass(frozen=True)
class Endpoint(Generic[T]):
    """Where an endpoint sits on the wire and how its values are laid out."""

    api_name: str
    fn_index: int
    params: tuple[Param, ...] = ()
    input_slots: tuple[int | None, ...] = ()
    output_slots: tuple[int | None, ...] = ()
    generator: bool = False
    result_type: Callable[..., T] | None = field(default=None, compare=False)
    #: Per kept output: "float" turns an int the server sent into a float.
    output_coerce: tuple[str | None, ...] = ()
    #: The streaming input of a ``.stream()`` event (its parameter takes an iterable).
    stream: StreamInput | None = None
    #: "required"/"optional" when the function takes a ``gr.OAuthToken`` (Gradio 6.21+
    #: ``/info``): the client's ``oauth_token`` goes in its join body.
    oauth_token: str | None = None

    @property
    def n_outputs(self) -> int:
        return sum(1 for slot in self.output_slots if slot is not None)

    def bind(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> list[Any]:
        """Map positional and keyword arguments to one value per parameter."""
        if len(args) > len(self.params):
            raise ValidationError(
                f"/{self.api_name} takes {len(self.params)} argument(s) but "
                f"{len(args)} were given"
            )
        values: list[Any] = list(args) + [NOT_GIVEN] * (len(self.params) - len(args))
        by_name = {p.name: i for i, p in enumerate(self.params)}
        for i, p in enumerate(self.params):
            if p.wire_name and p.wire_name not in by_name:
                by_name[p.wire_name] = i
        for key, value in kwargs.items():
            index = by_name.get(key)
            if index is None:
                known = ", ".join(p.name for p in self.params) or "none"
                raise ValidationError(
                    f"/{self.api_name} got an unexpected keyword argument {key!r} "
                    f"(parameters: {known})",
                    parameter=key,
                )
            if values[index] is not NOT_GIVEN:
                raise ValidationError(
                    f"/{self.api_name} got multiple values for argument {key!r}",
                    parameter=key,
                )
            values[index] = value
        return values

    def check(self, values: Sequence[Any]) -> list[Any]:
        """Fill defaults and check every value; raises ``ValidationError``."""
        if len(values) != len(self.params):
            raise ValidationError(
                f"/{self.api_name} takes {len(self.params)} argument(s), got {len(values)}"
            )
        checked: list[Any] = []
        for param, value in zip(self.params, values):
            if value is NOT_GIVEN:
                if not param.has_default:
                    raise ValidationError(
                        f"/{self.api_name}: missing required argument {param.name!r}",
                        parameter=param.name,
                    )
                value = param.default
            else:
                _check_value(self.api_name, param, value)
            checked.append(value)
        return checked

    def layout(self, values: Sequence[Any]) -> list[Any]:
        """The wire ``data`` list: one slot per dependency input, State slots null."""
        return [None if slot is None else values[slot] for slot in self.input_slots]

    def shape(self, data: Sequence[Any]) -> T:
        """Turn the wire output list into the endpoint's result value."""
        kept = [
            _value_of(data[i]) if i < len(data) else None
            for i, slot in enumerate(self.output_slots)
            if slot is not None
        ]
        for i, how in enumerate(self.output_coerce[: len(kept)]):
            value = kept[i]
            if how == "float" and isinstance(value, int) and not isinstance(value, bool):
                kept[i] = float(value)
        if self.result_type is not None:
            return self.result_type(*kept)
        result: Any = None if not kept else kept[0] if len(kept) == 1 else tuple(kept)
        return result  # type: ignore[no-any-return]


def _value_of(output: Any) -> Any:
    """An output the function returned as ``gr.update(...)`` (or a component instance)
    arrives as the update's properties (``{"__type__": "update", "visible": ..., "value":
    ...}``): the caller gets the value it sets, typed as the component's, and None for an
    update that leaves the value as it was (only other properties change)."""
    if isinstance(output, dict):
        kind = output.get("__type__")
        if isinstance(kind, str) and kind.endswith("update"):
            return output.get("value")
    return output


def _is_file_input(value: Any) -> bool:
    from .files import FileRef, is_file_like

    return isinstance(value, (str, bytes, bytearray, os.PathLike, FileRef)) or is_file_like(
        value
    )


def kind_ok(kind: str, value: Any) -> bool:
    if kind == "any":
        return True
    if kind == "null":
        return value is None
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "list":
        return isinstance(value, (list, tuple))
    if kind == "dict":
        return isinstance(value, Mapping)
    if kind == "file":
        return _is_file_input(value)
    return True


_KIND_NAMES = {
    "any": "any value", "bool": "bool", "dict": "dict", "file": "file (path, bytes, "
    "file object, URL or FileRef)", "float": "number", "int": "int", "list": "list",
    "null": "None", "str": "str",
}


def _check_value(api_name: str, param: Param, value: Any) -> None:
    where = f"/{api_name}: argument {param.name!r}"
    if param.file_list:
        if not isinstance(value, (list, tuple)) or not all(_is_file_input(v) for v in value):
            if not (value is None and "null" in param.kinds):
                raise ValidationError(
                    f"{where} must be a list of files, got {type(value).__name__}",
                    parameter=param.name,
                )
        return
    if param.kinds and not any(kind_ok(kind, value) for kind in param.kinds):
        wanted = " or ".join(_KIND_NAMES.get(k, k) for k in param.kinds)
        raise ValidationError(
            f"{where} must be {wanted}, got {type(value).__name__} {_short(value)}",
            parameter=param.name,
        )
    if isinstance(value, float) and math.isnan(value):
        raise ValidationError(f"{where} must be a number, got NaN", parameter=param.name)
    if param.updatable:
        return
    if param.choices and not param.allow_custom and value is not None:
        items = value if param.multiselect and isinstance(value, (list, tuple)) else [value]
        for item in items:
            if not any(_same_choice(item, c) for c in param.choices):
                raise ValidationError(
                    f"{where} must be one of {_options(param.choices)}; got {_short(item)}",
                    parameter=param.name,
                )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if param.minimum is not None and value < param.minimum:
            raise ValidationError(
                f"{where} must be >= {param.minimum}, got {value}", parameter=param.name
            )
        if param.maximum is not None and value > param.maximum:
            raise ValidationError(
                f"{where} must be <= {param.maximum}, got {value}", parameter=param.name
            )


def _options(choices: Sequence[Any], shown: int = 20) -> str:
    """The allowed values for an error message: ``'red', 'green' or 'blue'``."""
    items = [_short(c) for c in choices[:shown]]
    if len(choices) > shown:
        return ", ".join(items) + f", ... ({len(choices)} values)"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _same_choice(value: Any, choice: Any) -> bool:
    if isinstance(value, bool) != isinstance(choice, bool):
        return False
    return bool(value == choice)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# -- from a spec ---------------------------------------------------------------------


def _schema_kinds(schema: Any, defs: Mapping[str, Any], depth: int = 0) -> set[str]:
    schema = resolve(schema, defs)
    if depth > 8 or schema is True or not isinstance(schema, Mapping) or not schema:
        return {"any"}
    if is_file_schema(schema, defs):
        return {"file"}
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches:
            kinds: set[str] = set()
            for branch in branches:
                kinds |= _schema_kinds(branch, defs, depth + 1)
            return kinds
    if "const" in schema:
        return _value_kinds([schema["const"]])
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return _value_kinds(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = set()
        for k in kind:
            kinds |= _schema_kinds({"type": k}, defs, depth + 1)
        return kinds
    mapping = {
        "string": "str", "integer": "int", "number": "float", "boolean": "bool",
        "null": "null", "array": "list", "object": "dict",
    }
    if isinstance(kind, str) and kind in mapping:
        return {mapping[kind]}
    return {"any"}


def _value_kinds(values: Sequence[Any]) -> set[str]:
    kinds: set[str] = set()
    for v in values:
        if v is None:
            kinds.add("null")
        elif isinstance(v, bool):
            kinds.add("bool")
        elif isinstance(v, int):
            kinds.add("int")
        elif isinstance(v, float):
            kinds.add("float")
        elif isinstance(v, str):
            kinds.add("str")
        else:
            kinds.add("any")
    return kinds


def distinct_values(values: Sequence[Any]) -> list[Any]:
    """Distinct values in order; ``True`` and ``1`` stay different choices."""
    seen: set[tuple[str, Any]] = set()
    out: list[Any] = []
    for value in values:
        key = (type(value).__name__, value)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def choice_values(param: ParameterSpec | ReturnSpec) -> tuple[Any, ...] | None:
    """The values a choice parameter takes: /config choices first, else the enum."""
    props = param.props
    choices = props.get("choices")
    if isinstance(choices, list) and not choices:
        return None  # filled by an event, or never: no list of values to offer
    if isinstance(choices, list):
        values: list[Any] = []
        for c in choices:
            if isinstance(c, (list, tuple)) and len(c) == 2:
                values.append(c[1])
            else:
                values.append(c)
        if all(v is None or isinstance(v, (str, int, float, bool)) for v in values):
            return tuple(distinct_values(values))
    schema = param.schema
    defs = defs_of(schema)
    target = resolve(schema, defs)
    if isinstance(target, Mapping) and target.get("type") == "array":
        target = resolve(target.get("items"), defs)
    if isinstance(target, Mapping) and isinstance(target.get("enum"), list):
        enum = target["enum"]
        if enum and all(v is None or isinstance(v, (str, int, float, bool)) for v in enum):
            return tuple(distinct_values(enum))
    return None


def param_from_spec(name: str, spec: ParameterSpec) -> Param:
    """Build the runtime check descriptor of one parameter."""
    schema = spec.schema
    defs = defs_of(schema)
    kinds = _schema_kinds(schema, defs)
    paths = file_paths(schema)
    file_list = paths == (("*",),) and "list" in kinds and "file" not in kinds
    multiselect = bool(spec.props.get("multiselect")) or (
        spec.component.lower() == "checkboxgroup" or (
            "list" in kinds and spec.component == "Dropdown"
        )
    )
    choices = choice_values(spec)
    if choices is not None and not multiselect and not spec.updatable:
        kinds = _value_kinds(choices) | ({"null"} if "null" in kinds else set())
        if "int" in kinds:
            kinds.add("float") if any(isinstance(c, float) for c in choices) else None
    if spec.has_default and spec.default is None:
        kinds.add("null")
    allow_custom = bool(spec.props.get("allow_custom_value"))
    if (allow_custom or spec.updatable) and choices is not None and not multiselect:
        kinds |= {"str"} | _value_kinds([c for c in choices if c is not None])
    minimum = spec.props.get("minimum")
    maximum = spec.props.get("maximum")
    return Param(
        name=name,
        kinds=tuple(sorted(kinds)),
        wire_name=spec.name,
        has_default=spec.has_default,
        default=spec.default,
        choices=choices,
        allow_custom=allow_custom,
        multiselect=multiselect,
        minimum=float(minimum) if isinstance(minimum, (int, float)) else None,
        maximum=float(maximum) if isinstance(maximum, (int, float)) else None,
        file_paths=paths,
        file_list=file_list,
        # Only where it changes a check: choices or a range to leave to the server.
        updatable=spec.updatable and (
            choices is not None or minimum is not None or maximum is not None
        ),
    )


def endpoint_from_spec(
    spec: EndpointSpec,
    names: Sequence[str] | None = None,
    result_type: Callable[..., Any] | None = None,
) -> Endpoint[Any]:
    """Build the runtime descriptor of an endpoint from its spec.

    ``names`` are the Python parameter names (the generator's sanitized identifiers);
    by default the app's own parameter names or labels are used.
    """
    if names is None:
        names = [p.name or p.label or f"param_{i}" for i, p in enumerate(spec.parameters)]
    return Endpoint(
        api_name=spec.api_name,
        fn_index=spec.fn_index,
        params=tuple(param_from_spec(n, p) for n, p in zip(names, spec.parameters)),
        input_slots=spec.input_slots,
        output_slots=spec.output_slots,
        generator=spec.generator or spec.stream_input is not None,
        result_type=result_type,
        oauth_token=spec.oauth_token,
        stream=stream_of(spec),
    )


def stream_of(spec: EndpointSpec) -> StreamInput | None:
    """The streaming input of a ``.stream()`` endpoint, or None."""
    index = spec.stream_input
    if index is None or not 0 <= index < len(spec.parameters):
        return None
    from ._stream_plan import StreamInput

    return StreamInput(
        param=index,
        audio=spec.parameters[index].component.lower() == "audio",
        stream_every=spec.stream_every or 0.0,
        time_limit=spec.time_limit,
    )
