"""Render an ApiSpec into the files of a typed SDK package.

Builds a view model (names through the sanitizer, values through ``pyliteral``, text
through ``doc_text``), lays out each endpoint's statements the way black would
(``layout``; black formats only what that declines, and ``types.py``), and renders the
jinja2 templates with ``StrictUndefined``. The output is black-formatted and depends only
on the spec and the package name.
"""

from __future__ import annotations

import functools
import hashlib
import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import jinja2
from gradio_codegen_runtime import RUNTIME_API
from gradio_codegen_runtime import __version__ as RUNTIME_VERSION
from gradio_codegen_runtime.discovery import redact_url
from gradio_codegen_runtime.endpoint import Endpoint, Param, endpoint_from_spec, kind_ok
from gradio_codegen_runtime.spec import ApiSpec, EndpointSpec, dump_spec, load_spec

from ._version import __version__
from .formatting import format_python, prune_imports
from .layout import Group, Node, Pair, TooLong, def_lines, flat, lay_out
from .literals import doc_text, literal_node, pyliteral, str_literal
from .models import render_models
from .names import NameAllocator, class_name, constant_name, identifier
from .typemap import TypeMapper

__all__ = ["GeneratedPackage", "render_package", "templates_dir", "valid_package_name"]

#: Names a generated client or module already uses; endpoints never take them.
CLIENT_RESERVED = frozenset(
    {"close", "aclose", "submit", "map", "url", "space_id", "reset_session", "duplicate",
     "configure", "default_client", "endpoints", "predict_raw", "Client", "AsyncClient",
     "Job", "AsyncJob", "FileRef", "FileInput", "JSONValue", "types", "schema",
     "MediaStream", "AudioChunk", "StreamInput", "Iterable", "AsyncIterable", "MapRun",
     "AsyncMapRun", "MapOptions", "Outcome", "Unpack", "ENDPOINTS"}
)
PARAM_RESERVED = frozenset({"self", "cls"})


def templates_dir() -> Path:
    """The templates, from a wheel (inside the package) or a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parents[1] / "templates"):
        if (candidate / "package").is_dir():
            return candidate
    raise FileNotFoundError("gradio-codegen's templates are missing from this installation")


def valid_package_name(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name)) and not keyword.iskeyword(name)


@dataclass
class ParamView:
    name: str
    type: str
    default: str | None
    keyword_only: bool
    doc: str
    #: The type in the async methods when it differs (a streamed input).
    async_type: str | None = None


@dataclass
class EndpointView:
    name: str
    api_name: str
    api_name_literal: str
    fn_index: int
    const: str
    params: list[ParamView]
    return_type: str
    result_class: str | None
    doc: str
    runtime: Endpoint[Any]
    coerce: tuple[str | None, ...]
    generator: bool
    example_args: str
    example_doc: str
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def name_literal(self) -> str:
        """The method name as a string literal (the CLI's subcommand)."""
        return str_literal(self.name)


@dataclass
class GeneratedPackage:
    """The files of one SDK package, and what was learned while rendering it."""

    files: dict[str, str]
    untyped: int = 0
    warnings: list[str] = field(default_factory=list)


def render_package(
    spec: ApiSpec, package: str, *, dist: bool = False, ascii_names: bool = False
) -> GeneratedPackage:
    """Render the SDK package ``package`` for ``spec``.

    Names keep the app's own words in its own script; ``ascii_names`` transliterates
    them to ASCII instead (see ``names``)."""
    if not valid_package_name(package):
        raise ValueError(f"not a valid Python package name: {package!r}")
    schema_text = dump_spec(spec)
    spec = load_spec(schema_text)  # one canonical form, live or from schema.json
    mapper = TypeMapper(ascii_names=ascii_names)
    method_names = NameAllocator(CLIENT_RESERVED)
    const_names = NameAllocator()
    results: list[tuple[str, list[tuple[str, str]]]] = []
    endpoints: list[EndpointView] = []
    for ep in spec.endpoints:
        endpoints.append(
            _endpoint_view(ep, mapper, method_names, const_names, results, ascii_names)
        )
    models = render_models(mapper.objects.defs)
    model_names = set(mapper.objects.defs)
    result_names = NameAllocator(model_names | CLIENT_RESERVED)
    renamed: dict[str, str] = {}
    result_classes: list[dict[str, Any]] = []
    for name, fields in results:
        final = result_names.take(name)
        renamed[name] = final
        result_classes.append({"name": final, "fields": fields})
    for view in endpoints:
        if view.result_class:
            final = renamed[view.result_class]
            view.return_type = final
            view.result_class = final
    units = _Units()
    for view in endpoints:
        _lay_out_endpoint(view, units)
    type_names = sorted(model_names | {str(r["name"]) for r in result_classes})
    digest = hashlib.sha256(schema_text.encode()).hexdigest()  # spec_hash, without a re-dump
    if spec.space_id:
        source = spec.space_id
    elif spec.source and not spec.source.startswith(("http://", "https://")):
        source = spec.source
    else:
        source = redact_url(spec.source or spec.host)
    env_url = f"{package.upper()}_URL"
    module: dict[str, str] = {}
    statements: dict[str, Node] = {
        "check": Pair("check_runtime_api", Group(
            "(", (str(RUNTIME_API), str_literal(__version__), str_literal(package)), ")"
        )),
        "source": Pair("_SOURCE = ", pyliteral(source)),
        "host": Pair("_HOST = ", pyliteral(spec.host)),
        "space_id": Pair("_SPACE_ID = ", pyliteral(spec.space_id)),
        "server": Pair("_SERVER = ServerInfo", Group("(", (
            Pair("api_prefix=", pyliteral(spec.api_prefix)),
            Pair("protocol=", pyliteral(spec.protocol)),
            Pair("version=", pyliteral(spec.gradio_version)),
            Pair("max_file_size=", pyliteral(spec.max_file_size)),
            *_unqueued(spec),
        ), ")")),
        "env_url": Pair("_ENV_URL = ", str_literal(env_url)),
    }
    for key, node in statements.items():
        units.add(module, key, 0, functools.partial(lay_out, node), flat(node))
    units.resolve()
    context = {
        "package": package,
        "version": __version__,
        "runtime_api": RUNTIME_API,
        "runtime_version": RUNTIME_VERSION,
        # One line: templates place these inside indented docstrings.
        "source_doc": " ".join(doc_text(source).split("\n")),
        "check_source": module["check"],
        "module_constants": [module[k] for k in ("source", "host", "space_id", "server", "env_url")],
        "gradio_version_doc": " ".join(doc_text(spec.gradio_version).split("\n")),
        "schema_hash": digest,
        "endpoints": endpoints,
        "models": models,
        "result_classes": result_classes,
        "type_names": type_names,
        "uses": sorted(mapper.uses),
        "stream_names": _stream_names(endpoints),
        "env_url": env_url,
        "dist": dist,
        "ascii_names": ascii_names,
        "protocol": spec.protocol,
        "header": _header(source, spec.gradio_version, digest),
        "prog_literal": str_literal(f"python -m {package}"),
    }
    env = _environment(str(templates_dir()))
    files: dict[str, str] = {}
    for template, target in (
        ("package/__init__.py.jinja", f"{package}/__init__.py"),
        ("package/_client.py.jinja", f"{package}/_client.py"),
        ("package/types.py.jinja", f"{package}/types.py"),
        ("package/__main__.py.jinja", f"{package}/__main__.py"),
        ("package/README.md.jinja", f"{package}/README.md"),
    ):
        text = env.get_template(template).render(**context)
        if target.endswith(("_client.py", "types.py")):
            text = prune_imports(text)
        # _client.py and __init__.py come out of the templates and ``layout`` already
        # formatted (tests hold black to that); types.py holds datamodel-code-generator's
        # output and NamedTuples with arbitrary annotations, so black formats it.
        files[target] = format_python(text) if target.endswith("types.py") else text
    files[f"{package}/py.typed"] = ""
    files[f"{package}/schema.json"] = schema_text
    if dist:
        files["pyproject.toml"] = env.get_template("dist/pyproject.toml.jinja").render(**context)
        files["README.md"] = files[f"{package}/README.md"]
    warnings = []
    if mapper.untyped:
        warnings.append(
            f"{mapper.untyped} parameter(s)/return(s) have no usable schema and are typed JSONValue"
        )
    return GeneratedPackage(files=files, untyped=mapper.untyped, warnings=warnings)


@functools.lru_cache(maxsize=4)
def _environment(directory: str) -> jinja2.Environment:
    """One compiled set of templates per process (compiling them costs more than
    rendering)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _header(source: str, gradio_version: str, digest: str) -> str:
    safe = re.sub(r"[^\x20-\x7e]", "?", f"{source}")[:200]
    safe_version = re.sub(r"[^0-9A-Za-z.+-]", "?", gradio_version)[:40]
    return (
        f"# Generated by gradio-codegen {__version__} from {safe!r} "
        f"(gradio {safe_version}, schema sha256:{digest[:16]}). DO NOT EDIT."
    )


def _endpoint_view(
    ep: EndpointSpec,
    mapper: TypeMapper,
    method_names: NameAllocator,
    const_names: NameAllocator,
    results: list[tuple[str, list[tuple[str, str]]]],
    ascii_names: bool = False,
) -> EndpointView:
    a = ascii_names
    method = method_names.take(
        identifier(ep.api_name, "endpoint", CLIENT_RESERVED, ascii_only=a)
    )
    const = const_names.take(constant_name(method))
    hint = class_name(method, ascii_only=a)
    param_names = NameAllocator(PARAM_RESERVED)
    names = [
        param_names.take(
            identifier(p.name or p.label, f"param_{i}", PARAM_RESERVED, ascii_only=a)
        )
        for i, p in enumerate(ep.parameters)
    ]
    runtime_ep = endpoint_from_spec(ep, names)
    params: list[ParamView] = []
    types = [mapper.parameter(p, f"{hint}_{n}") for p, n in zip(ep.parameters, names)]
    # Positional as far as Python allows; after a defaulted parameter that is followed
    # by a required one, everything is keyword-only.
    has_default = [p.has_default for p in ep.parameters]
    kw_from = len(ep.parameters)
    for i, d in enumerate(has_default):
        if d and not all(has_default[i:]):
            kw_from = i
            break
    for i, (spec_p, name, typ, rp) in enumerate(zip(ep.parameters, names, types, runtime_ep.params)):
        default: str | None = None
        if spec_p.has_default:
            if _literal_default_ok(spec_p.default, rp):
                default = pyliteral(spec_p.default)
            else:
                typ = f"{typ} | NotGiven"
                default = "NOT_GIVEN"
        view = ParamView(name, typ, default, i >= kw_from, _param_doc(spec_p, rp))
        if i == ep.stream_input:
            _stream_param(view, spec_p.component)
        params.append(view)
    returns = [r for r in ep.returns]
    out_types = [
        mapper.returns(r, f"{hint}_{identifier(r.label, 'output', ascii_only=a)}")
        for r in returns
    ]
    for i in ep.stream_outputs:
        if i < len(out_types):
            out_types[i] = out_types[i].replace("FileRef", "MediaStream")
    result_class: str | None = None
    if len(returns) == 0:
        return_type = "None"
    elif len(returns) == 1:
        return_type = out_types[0]
    else:
        field_names = NameAllocator({"count", "index"})
        fields = [
            (field_names.take(identifier(r.label, f"output_{i}", ascii_only=a)), t)
            for i, (r, t) in enumerate(zip(returns, out_types))
        ]
        result_class = hint + "Result"
        results.append((result_class, fields))
        return_type = result_class
    coerce = tuple("float" if t == "float" else None for t in out_types)
    doc = _endpoint_doc(ep, params, returns)
    example = ", ".join(_example(p, v) for p, v in zip(ep.parameters, params) if v.default is None)
    return EndpointView(
        name=method,
        api_name=ep.api_name,
        api_name_literal=pyliteral("/" + ep.api_name),
        fn_index=ep.fn_index,
        const=const,
        params=params,
        return_type=return_type,
        result_class=result_class,
        doc=doc,
        runtime=runtime_ep,
        coerce=coerce,
        generator=ep.generator,
        example_args=example,
        example_doc=doc_text(example, limit=200),
    )


def _stream_names(endpoints: list[EndpointView]) -> list[str]:
    """Runtime names the package re-exports because its endpoints use them."""
    sources = " ".join(
        [p.type for ep in endpoints for p in ep.params] + [ep.return_type for ep in endpoints]
    )
    return [n for n in ("AudioChunk", "MediaStream") if n in sources]


def _stream_param(view: ParamView, component: str) -> None:
    """Type a streamed input as an iterable of chunks (async: also an async iterable)."""
    chunk = "AudioChunk" if component.lower() == "audio" else view.type
    view.type = f"Iterable[{chunk}]"
    view.async_type = f"AsyncIterable[{chunk}] | Iterable[{chunk}]"
    view.doc = doc_text(
        view.doc + " Streamed: an iterable of chunks, each sent once the app has answered "
        "the one before (iterate ``submit`` for every answer).",
        limit=800,
    )


def _literal_default_ok(value: Any, param: Param) -> bool:
    if not (value is None or isinstance(value, (str, int, float, bool))):
        return False
    if isinstance(value, float) and value != value:  # NaN
        return False
    if value is None:
        return True
    if not any(kind_ok(k, value) for k in param.kinds) or "file" in param.kinds:
        return False
    if isinstance(value, float) and "int" in param.kinds and "float" not in param.kinds:
        return False
    if param.choices is not None and not (param.allow_custom or param.updatable):
        return any(value == c and type(value) is type(c) for c in param.choices) and not param.multiselect
    return not param.multiselect


def _unqueued(spec: ApiSpec) -> tuple[Node, ...]:
    """The ``unqueued`` field of a 3.x app's ServerInfo (events it runs without a
    queue); nothing for other apps, whose SDKs stay as they were."""
    found = tuple(e.fn_index for e in spec.endpoints if spec.protocol == "ws" and not e.queue)
    return (Pair("unqueued=", literal_node(tuple(sorted(found)))),) if found else ()


def _endpoint_node(view: EndpointView) -> Node:
    ep = view.runtime
    params = tuple(_param_node(p) for p in ep.params)
    fields: tuple[Node, ...] = (
        Pair("api_name=", pyliteral(ep.api_name)),
        Pair("fn_index=", str(ep.fn_index)),
        Pair("params=", Group("(", params, ")", one_tuple=len(params) == 1)),
        Pair("input_slots=", literal_node(tuple(ep.input_slots))),
        Pair("output_slots=", literal_node(tuple(ep.output_slots))),
        Pair("output_coerce=", literal_node(view.coerce)),
        Pair("generator=", repr(ep.generator)),
        Pair("result_type=", view.result_class or "None"),
    )
    if ep.stream is not None:
        st = ep.stream
        fields += (Pair("stream=StreamInput", Group("(", (
            Pair("param=", str(st.param)),
            Pair("audio=", repr(st.audio)),
            Pair("stream_every=", pyliteral(st.stream_every)),
            Pair("time_limit=", pyliteral(st.time_limit)),
        ), ")")),)
    if ep.oauth_token is not None:  # only endpoints taking a gr.OAuthToken say so
        fields += (Pair("oauth_token=", pyliteral(ep.oauth_token)),)
    return Pair(f"{view.const}: Endpoint[{view.return_type}] = Endpoint", Group("(", fields, ")"))


def _param_node(p: Param) -> Node:
    fields: list[Node] = [Pair("name=", pyliteral(p.name)), Pair("kinds=", literal_node(p.kinds))]
    if p.wire_name is not None:
        fields.append(Pair("wire_name=", pyliteral(p.wire_name)))
    if p.has_default:
        fields.append(Pair("has_default=", "True"))
        fields.append(Pair("default=", literal_node(p.default)))
    if p.choices is not None:
        fields.append(Pair("choices=", literal_node(p.choices)))
    for attr in ("allow_custom", "multiselect", "file_list", "updatable"):
        if getattr(p, attr):
            fields.append(Pair(f"{attr}=", "True"))
    for attr in ("minimum", "maximum"):
        if getattr(p, attr) is not None:
            fields.append(Pair(f"{attr}=", pyliteral(getattr(p, attr))))
    if p.file_paths:
        fields.append(Pair("file_paths=", literal_node(p.file_paths)))
    return Pair("Param", Group("(", tuple(fields), ")"))


#: The five functions each endpoint gets: (source key, depth, keyword, returns, call).
_VARIANTS = (
    ("submit", 1, "def", "Job[{}]", "return self._start"),
    ("async_submit", 1, "async def", "AsyncJob[{}]", "return await self._start"),
    ("client", 1, "def", "{}", "return self._call"),
    ("async_client", 1, "async def", "{}", "return await self._call"),
    ("module", 0, "def", "{}", "return default_client().{}"),
)


def _lay_out_endpoint(view: EndpointView, units: _Units) -> None:
    """Queue the endpoint's constant and its five functions, laid out like black."""
    const = _endpoint_node(view)
    units.add(view.sources, "const", 0, lambda: lay_out(const), flat(const))
    params = _signature(view.params, asynchronous=False)
    async_params = _signature(view.params, asynchronous=True)
    names = tuple(p.name for p in view.params)
    values = Group("(", names, ")", one_tuple=len(names) == 1)
    kwargs = tuple(f"{p.name}={p.name}" if p.keyword_only else p.name for p in view.params)
    for key, depth, keyword, returns, call in _VARIANTS:
        pad = " " * 4 * depth
        body = pad + "    "
        doc = docstring_lines(view.doc, body)
        if depth == 0:
            ret: Node = Pair(call.format(view.name), Group("(", kwargs, ")"))
            sig = params
        else:
            ret = Pair(call, Group("(", (view.const, values), ")"))
            sig = ["self", *(async_params if keyword == "async def" else params)]
        rtype = returns.format(view.return_type)

        def fast(
            depth: int = depth, keyword: str = keyword, sig: list[str] = sig, rtype: str = rtype,
            doc: list[str] = doc, ret: Node = ret, body: str = body,
        ) -> list[str]:
            head = def_lines(4 * depth, keyword, view.name, sig, rtype)
            return [*head, *doc, *lay_out(ret, len(body))]

        raw = "\n".join(
            [f"{pad}{keyword} {view.name}({', '.join(sig)}) -> {rtype}:", *doc, body + flat(ret)]
        )
        units.add(view.sources, key, depth, fast, raw)
    _lay_out_map(view, units)


#: The two ``map`` methods: (source key, run type).
_MAP_VARIANTS = (("map", "MapRun[{}]"), ("async_map", "AsyncMapRun[{}]"))


def map_input_type(view: EndpointView, *, asynchronous: bool = False) -> str:
    """What one map input may be: a tuple of positional arguments (the required ones,
    or all), a dict of keyword arguments, or the value itself for an endpoint of one
    parameter. (Every length in between would make the type unreadable; a dict covers
    those.)"""
    types = [p.async_type if asynchronous and p.async_type else p.type for p in view.params]
    required = sum(1 for p in view.params if p.default is None)
    tuples = [
        f"tuple[{', '.join(types[:n])}]" if n else "tuple[()]"
        for n in sorted({required, len(types)})
    ]
    bare = [types[0]] if len(types) == 1 else []
    return " | ".join([*tuples, "Mapping[str, Any]", *bare])


def _map_doc(view: EndpointView) -> str:
    names = ", ".join(p.name for p in view.params)
    shape = f"``({names}{',' if len(view.params) == 1 else ''})``"
    bare = ", or the value itself" if len(view.params) == 1 else ""
    return "\n".join([
        doc_text(f"Call /{view.api_name} once per input; outcomes come in input order."),
        "",
        doc_text(f"Each input: a tuple {shape}, a dict of those names{bare}."),
        "Options: ``MapOptions`` (concurrency, checkpoint, progress, replicas).",
    ])


def _lay_out_map(view: EndpointView, units: _Units) -> None:
    """Queue the endpoint's ``map`` methods (sync and async), laid out like black."""
    doc = docstring_lines(_map_doc(view), " " * 8)
    ret: Node = Pair("return self._start", Group("(", (view.const, "inputs", "**options"), ")"))
    for key, returns in _MAP_VARIANTS:
        rtype = returns.format(view.return_type)
        kind = map_input_type(view, asynchronous=key == "async_map")
        sig = ["self", f"inputs: Iterable[{kind}]", "/", "**options: Unpack[MapOptions]"]

        def fast(rtype: str = rtype, sig: list[str] = sig) -> list[str]:
            return [*def_lines(4, "def", view.name, sig, rtype), *doc, *lay_out(ret, 8)]

        raw = "\n".join(
            [f"    def {view.name}({', '.join(sig)}) -> {rtype}:", *doc, " " * 8 + flat(ret)]
        )
        units.add(view.sources, key, 1, fast, raw)


def _signature(params: list[ParamView], *, asynchronous: bool) -> list[str]:
    out: list[str] = []
    for p in params:
        if p.keyword_only and "*" not in out:
            out.append("*")
        typ = p.async_type if asynchronous and p.async_type else p.type
        out.append(f"{p.name}: {typ}" + (f" = {p.default}" if p.default is not None else ""))
    return out


def docstring_lines(doc: str, pad: str) -> list[str]:
    """``doc`` (from ``doc_text``) as a docstring at indentation ``pad``, in black's
    form: no trailing whitespace, and the closing quotes on the last text line when
    there is only one."""
    lines = [line.rstrip() for line in doc.split("\n")]
    if len(lines) == 1:
        return [pad + '"""' + lines[0] + '"""']
    return [pad + '"""' + lines[0], *(pad + line if line else "" for line in lines[1:]), pad + '"""']


class _Units:
    """Statements laid out by ``layout``, and those it declines, which black formats
    in one call (one call per statement would cost more than the formatting)."""

    def __init__(self) -> None:
        self._pending: list[tuple[dict[str, str], str, int, str]] = []

    def add(
        self, target: dict[str, str], key: str, depth: int,
        build: Callable[[], list[str]], raw: str,
    ) -> None:
        try:
            target[key] = "\n".join(build())
        except TooLong:
            self._pending.append((target, key, depth, raw))

    def resolve(self) -> None:
        if not self._pending:
            return
        chunks = []
        for i, (_, _, depth, raw) in enumerate(self._pending):
            marker = f"class _GC_UNIT_{i}:" if depth else f"_GC_UNIT_{i} = 0"
            chunks.append(f"{marker}\n{raw}\n")
        formatted = format_python("\n".join(chunks))
        pieces: dict[int, list[str]] = {}
        current: list[str] = []
        for line in formatted.split("\n"):
            match = re.fullmatch(r"(?:class _GC_UNIT_(\d+):|_GC_UNIT_(\d+) = 0)", line)
            if match:
                current = pieces.setdefault(int(match.group(1) or match.group(2)), [])
            else:
                current.append(line)
        for i, (target, key, _, _) in enumerate(self._pending):
            target[key] = "\n".join(pieces[i]).strip("\n")
        self._pending.clear()


def _param_doc(p: Any, rp: Param) -> str:
    parts = []
    label = p.label if p.label and p.label != p.name else None
    head = f"[{p.component}]" + (f" {label}." if label else "")
    parts.append(head)
    info = p.props.get("info")
    if isinstance(info, str) and info.strip():
        parts.append(info.strip().rstrip(".") + ".")
    if p.description and not _is_class_doc(str(p.description)):
        parts.append(str(p.description).strip().rstrip(".") + ".")
    # Bounds and choices an event may change are documented, marked as initial.
    may_change = " (an event of the app may change {})" if rp.updatable else ""
    if rp.minimum is not None or rp.maximum is not None:
        head = "Initial range" if rp.updatable else "Range"
        rng = f"{head} {_num(rp.minimum)} to {_num(rp.maximum)}"
        step = p.props.get("step")
        if isinstance(step, (int, float)) and not isinstance(step, bool):
            rng += f", step {_num(step)}"
        parts.append(rng + may_change.format("it") + ".")
    if rp.choices is not None:
        labels = _choice_labels(p.props.get("choices"))
        shown = ", ".join(
            repr(c) + (f" ({labels[i]})" if labels.get(i) not in (None, str(c)) else "")
            for i, c in enumerate(rp.choices[:20])
        )
        more = " ..." if len(rp.choices) > 20 else ""
        custom = " (custom values allowed)" if rp.allow_custom else may_change.format("them")
        head = "Initial choices" if rp.updatable else "Choices"
        parts.append(f"{head}: {shown}{more}{custom}.")
    elif p.updatable and p.props.get("choices") == []:
        parts.append("Its choices are set by an event of the app.")
    if p.has_default:
        parts.append(f"Default: {_short(p.default)}.")
    if p.example is not None and not isinstance(p.example, dict):
        parts.append(f"Example: {_short(p.example)}.")
    return doc_text(" ".join(parts), limit=600)


def _choice_labels(choices: Any) -> dict[int, str]:
    """Display labels of ``(label, value)`` choices, by position."""
    if not isinstance(choices, list):
        return {}
    return {
        i: c[0] for i, c in enumerate(choices)
        if isinstance(c, (list, tuple)) and len(c) == 2 and isinstance(c[0], str)
    }


def _is_class_doc(text: str) -> bool:
    """Gradio puts its data models' docstrings (FileData, ImageData) in
    ``python_type.description``; they describe the wire model, not the parameter."""
    return "\nAttributes:" in text or text.startswith(("The FileData class", "The ImageData"))


def _num(value: Any) -> str:
    if value is None:
        return "?"
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _endpoint_doc(ep: EndpointSpec, params: list[ParamView], returns: list[Any]) -> str:
    lines = [
        doc_text(ep.description, limit=1000)
        or doc_text(f"Call the app's /{ep.api_name} endpoint.")
    ]
    lines.append("")
    if ep.generator:
        lines.append("Streams updates: iterate ``submit`` to get each one.")
        lines.append("")
    if ep.oauth_token:
        need = "requires" if ep.oauth_token == "required" else "may use"
        lines.append(
            doc_text(f"Acts on your behalf: {need} your Hugging Face token, given to the "
                     "client as oauth_token=...")
        )
        lines.append("")
    if params:
        lines.append("Args:")
        for p in params:
            lines.append(f"    {p.name}: {p.doc}")
    if returns:
        lines.append("")
        lines.append("Returns:")
        for r in returns:
            label = doc_text(r.label or "output", limit=100)
            lines.append(f"    [{doc_text(r.component, limit=60)}] {label}")
    lines.append("")
    lines.append(doc_text(f"Endpoint: /{ep.api_name} (fn_index {ep.fn_index})."))
    return "\n".join(lines).strip()


def _example(spec_p: Any, view: ParamView) -> str:
    """A plausible argument for the README: the app's example when it fits the type."""
    is_list = view.type.startswith("list[")
    if view.type == "Iterable[AudioChunk]":
        return "[(16000, [0] * 1600), (16000, [0] * 1600)]"
    if view.type.startswith("Iterable["):
        return "[" + pyliteral("path/to/frame.png") + "]"
    if view.type.startswith(("FileInput", "list[FileInput]")):
        value = pyliteral("path/to/file")
        return f"[{value}]" if is_list else value
    example = spec_p.example
    if isinstance(example, list) and is_list and all(
        isinstance(v, (str, int, float, bool)) for v in example
    ):
        return pyliteral(example)
    if isinstance(example, (str, int, float, bool)) and not view.type.startswith(("list[", "dict[")):
        return pyliteral(example)
    if isinstance(example, dict) and _json_safe(example) and "'path'" not in repr(example):
        return pyliteral(example)
    return "..."


def _json_safe(value: Any, depth: int = 0) -> bool:
    if depth > 4:
        return False
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_safe(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return len(value) <= 5 and all(_json_safe(v, depth + 1) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))
