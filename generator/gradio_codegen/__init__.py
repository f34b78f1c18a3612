"""gradio-codegen: generate typed Python SDKs for Gradio apps and Hugging Face Spaces.

The generator pipeline is ``fetch`` (``load_source``) → ``spec`` (``ApiSpec``) →
``typemap``/``models`` → ``render`` → ``formatting``. ``ApiSpec`` and the generated
packages' runtime live in the ``gradio-codegen-runtime`` distribution
(``gradio_codegen_runtime``), which this one depends on and never the reverse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .fetch import load_source
    from .render import GeneratedPackage, render_package
    from gradio_codegen_runtime.spec import ApiSpec, build_spec, dump_spec, load_spec

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
    "ApiSpec": "gradio_codegen_runtime.spec",
    "build_spec": "gradio_codegen_runtime.spec",
    "dump_spec": "gradio_codegen_runtime.spec",
    "load_spec": "gradio_codegen_runtime.spec",
}


def __getattr__(name: str) -> Any:
    # Lazy, so that ``import gradio_codegen`` stays cheap (the CLI's --help, --version).
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gradio_codegen' has no attribute {name!r}")
    import importlib

    path = module if "." in module else f"{__name__}.{module}"
    return getattr(importlib.import_module(path), name)
