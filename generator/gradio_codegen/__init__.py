"""gradio-codegen: generate typed Python SDKs for Gradio apps and Hugging Face Spaces.

The generator pipeline is ``fetch`` (``load_source``) → ``spec`` (``ApiSpec``) →
``typemap``/``models`` → ``render`` → ``formatting``; generated packages run on
``gradio_codegen.runtime``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .fetch import load_source
    from .render import GeneratedPackage, render_package
    from .spec import ApiSpec, build_spec, dump_spec, load_spec

__all__ = [
    "ApiSpec",
    "GeneratedPackage",
    "__version__",
    "build_spec",
    "dump_spec",
    "load_source",
    "load_spec",
    "render_package",
]

_LAZY = {
    "load_source": "fetch",
    "render_package": "render",
    "GeneratedPackage": "render",
    "ApiSpec": "spec",
    "build_spec": "spec",
    "dump_spec": "spec",
    "load_spec": "spec",
}


def __getattr__(name: str) -> Any:
    # Lazy, so that ``import gradio_codegen.runtime`` (what SDKs do) stays cheap.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gradio_codegen' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{module}", __name__), name)
