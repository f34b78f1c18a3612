"""Figure 7: generation time of an SDK for a synthetic app with many endpoints.

``synthetic_spec(n)`` builds, in code, an ApiSpec whose endpoints cycle through the
component types real apps use (text, numbers, sliders, choices, files, JSON, objects
that go through datamodel-code-generator, several outputs, generators). ``measure``
times ``render_package`` in this fresh process (cold: including the generator's
imports) and again warm, and times the calls into black and datamodel-code-generator
by wrapping them.
"""

from __future__ import annotations

import time
from typing import Any, Callable

_FILE_META = {
    "properties": {"_type": {"const": "gradio.FileData", "title": "Type", "type": "string"}},
    "required": ["_type"],
    "title": "FileDataMeta",
    "type": "object",
}
_OPT_STR = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
FILE_SCHEMA: dict[str, Any] = {
    "$defs": {"FileDataMeta": _FILE_META},
    "properties": {
        "path": {"title": "Path", "type": "string"},
        "url": {**_OPT_STR, "title": "Url"},
        "size": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
        "orig_name": {**_OPT_STR, "title": "Orig Name"},
        "mime_type": {**_OPT_STR, "title": "Mime Type"},
        "is_stream": {"default": False, "title": "Is Stream", "type": "boolean"},
        "meta": {"$ref": "#/$defs/FileDataMeta"},
    },
    "required": ["path"],
    "title": "FileData",
    "type": "object",
}


def _label_schema() -> dict[str, Any]:
    scalar = {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "null"}]}
    return {
        "$defs": {
            "LabelConfidence": {
                "properties": {"label": scalar, "confidence": {"type": "number"}},
                "title": "LabelConfidence",
                "type": "object",
            }
        },
        "properties": {
            "label": scalar,
            "confidences": {"items": {"$ref": "#/$defs/LabelConfidence"}, "type": "array"},
        },
        "title": "LabelData",
        "type": "object",
    }


def _record_schema(i: int) -> dict[str, Any]:
    """An object schema unique to endpoint ``i`` (as custom components publish)."""
    return {
        "properties": {
            f"field_{k}": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"},
                           {"type": "array", "items": {"type": "number"}}][k % 4]
            for k in range(3 + i % 5)
        },
        "required": ["field_0"],
        "title": f"Record{i}",
        "type": "object",
    }


def _param(name: str, component: str, schema: Any, **extra: Any) -> dict[str, Any]:
    return {
        "name": name, "label": name.replace("_", " ").title(), "component": component,
        "schema": schema, "python_type": None, "description": extra.pop("description", None),
        "has_default": "default" in extra, "default": extra.pop("default", None),
        "example": extra.pop("example", None), "props": extra,
    }


def _ret(label: str, component: str, schema: Any) -> dict[str, Any]:
    return {"label": label, "component": component, "schema": schema,
            "python_type": None, "description": None, "props": {}}


def _inputs(i: int) -> list[dict[str, Any]]:
    colors = ["red", "green", "blue", f"shade {i}"]
    kinds: list[list[dict[str, Any]]] = [
        [_param("prompt", "Textbox", {"type": "string"}, example="hi")],
        [_param("count", "Number", {"type": "integer"}, default=3, precision=0),
         _param("scale", "Slider", {"type": "number"}, default=2.5, minimum=0, maximum=10,
                step=0.5)],
        [_param("flag", "Checkbox", {"type": "boolean"}, default=True),
         _param("color", "Dropdown", {"type": "string", "enum": colors}, default="red",
                choices=colors)],
        [_param("tags", "Dropdown", {"type": "array", "items": {"type": "string",
                "enum": colors}}, multiselect=True, choices=colors)],
        [_param("document", "File", FILE_SCHEMA, file_count="single", type="filepath")],
        [_param("record", "Customcomponent", _record_schema(i))],
        [_param("text", "Textbox", {"type": "string"}),
         _param("level", "Radio", {"type": "string", "enum": ["low", "mid", "high"]},
                default="mid", choices=["low", "mid", "high"])],
    ]
    return kinds[i % len(kinds)]


def _outputs(i: int) -> list[dict[str, Any]]:
    kinds: list[list[dict[str, Any]]] = [
        [_ret("answer", "Textbox", {"type": "string"})],
        [_ret("value", "Number", {"type": "number"})],
        [_ret("data", "Json", {"type": {}, "description": "any valid json"})],
        [_ret("label", "Label", _label_schema())],
        [_ret("file", "File", FILE_SCHEMA)],
        [_ret("record", "Customcomponent", _record_schema(i + 1000))],
        [_ret("size", "Number", {"type": "integer"}), _ret("text", "Textbox",
                                                           {"type": "string"})],
    ]
    return kinds[(i * 3) % len(kinds)]


def synthetic_schema(endpoints: int) -> dict[str, Any]:
    """A schema.json-shaped document of an app with ``endpoints`` endpoints."""
    eps = []
    for i in range(endpoints):
        params, returns = _inputs(i), _outputs(i)
        eps.append({
            "api_name": f"endpoint_{i:03d}", "fn_index": i, "parameters": params,
            "returns": returns, "input_slots": list(range(len(params))),
            "output_slots": list(range(len(returns))), "generator": i % 10 == 9,
            "visibility": "public", "description": f"Synthetic endpoint number {i}.",
            "queue": True, "oauth_token": None,
        })
    return {
        "host": "http://127.0.0.1:7860", "api_prefix": "/gradio_api", "protocol": "sse_v3",
        "gradio_version": "6.31.0", "source": "http://127.0.0.1:7860", "space_id": None,
        "max_file_size": None, "format": 1, "endpoints": eps,
    }


class _Timer:
    """Wraps a function and adds up the time spent in it."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.total = 0.0
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.total += time.perf_counter() - start
            self.calls += 1


def measure(endpoints: int, reps: int, t0: float) -> dict[str, Any]:
    """Time generating an SDK for ``endpoints`` endpoints; ``t0`` is process start."""
    import json
    import tempfile
    from pathlib import Path

    import_start = time.perf_counter()
    from gradio_codegen import render
    from gradio_codegen_runtime.spec import load_spec

    import_s = time.perf_counter() - import_start
    spec = load_spec(json.dumps(synthetic_schema(endpoints)))
    # render.py calls these through its module globals: wrap them there.
    black = _Timer(getattr(render, "format_python"))
    models = _Timer(getattr(render, "render_models"))
    setattr(render, "format_python", black)
    setattr(render, "render_models", models)
    out = Path(tempfile.mkdtemp(prefix="bench-gen-"))
    runs: list[dict[str, float]] = []
    for _ in range(max(1, reps) + 1):
        black.total = models.total = 0.0
        start = time.perf_counter()
        package = render.render_package(spec, "synthetic_sdk")
        for name, text in package.files.items():
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        runs.append({"total": time.perf_counter() - start, "black": black.total,
                     "models": models.total})
    cold, warm = runs[0], runs[1:]
    warm_total = sorted(r["total"] for r in warm)[len(warm) // 2]
    warm_run = next(r for r in warm if r["total"] == warm_total)
    lines = sum(text.count("\n") for text in package.files.values())
    return {
        "endpoints": len(spec.endpoints),
        "generated_lines": lines,
        "import_s": import_s,
        "cold_s": cold["total"] + import_s,
        "cold_render_s": cold["total"],
        "cold_black_s": cold["black"],
        "cold_datamodel_codegen_s": cold["models"],
        "warm_s": warm_total,
        "warm_black_s": warm_run["black"],
        "warm_datamodel_codegen_s": warm_run["models"],
        "black_share": warm_run["black"] / warm_total,
        "datamodel_codegen_share": warm_run["models"] / warm_total,
        "cold_black_share": cold["black"] / (cold["total"] + import_s),
        "cold_datamodel_codegen_share": cold["models"] / (cold["total"] + import_s),
        "process_s": time.perf_counter() - t0,
    }
