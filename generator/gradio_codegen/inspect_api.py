"""``gradio-codegen inspect``: the typed signatures an SDK will have, as text."""

from __future__ import annotations

from .render import render_package
from gradio_codegen_runtime.spec import ApiSpec

__all__ = ["describe"]


def describe(spec: ApiSpec, *, ascii_names: bool = False) -> str:
    """One block per endpoint: the module-level function's signature and docstring."""
    import ast

    source = render_package(spec, "sdk", ascii_names=ascii_names).files["sdk/_client.py"]
    tree = ast.parse(source)
    lines = [f"{spec.space_id or spec.host} (gradio {spec.gradio_version}, {len(spec.endpoints)} endpoints)"]
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name not in ("default_client", "configure"):
            header = ast.get_source_segment(source, node) or ""
            signature = header.split(":\n", 1)[0].strip() + ":"
            doc = ast.get_docstring(node) or ""
            lines.append("")
            lines.append(" ".join(signature.split()).replace("( ", "(").replace(", )", ")"))
            lines.extend("    " + line for line in doc.splitlines())
    return "\n".join(lines)
