"""Format generated Python with black, in-process, with an explicit mode.

The mode never comes from a pyproject file, so output does not depend on the
directory the generator runs in.
"""

from __future__ import annotations

import functools
from typing import Any

from .layout import LINE_LENGTH

__all__ = ["format_python", "prune_imports"]


@functools.lru_cache(maxsize=1)
def _mode() -> Any:
    # black is imported on first use: most SDKs are laid out without it (see layout).
    import black
    from black.mode import TargetVersion

    return black.Mode(
        target_versions={TargetVersion.PY310},
        line_length=LINE_LENGTH,
        string_normalization=True,
        is_pyi=False,
    )


def format_python(source: str) -> str:
    """Return ``source`` formatted by black (raises on invalid syntax)."""
    import black

    return black.format_str(source, mode=_mode())


def prune_imports(source: str) -> str:
    """Drop names from module-level ``from X import ...`` that the module never uses.

    Templates import everything an SDK might need; pyright strict flags unused imports,
    so each file keeps only what it references (``__all__`` entries count as used, and
    ``from __future__`` imports are always kept).
    """
    import ast

    tree = ast.parse(source)
    used: set[str] = set()
    imports: list[ast.ImportFrom] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            imports.append(node)
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                used.add(sub.id)
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
                ):
                    used.add(sub.value)
    lines = source.splitlines(keepends=True)
    for node in reversed(imports):
        if node.module == "__future__":
            continue
        names = [a for a in node.names if (a.asname or a.name) in used]
        if len(names) == len(node.names):
            continue
        start, end = node.lineno - 1, (node.end_lineno or node.lineno)
        text = ""
        if names:
            listed = [a.name if a.asname is None else f"{a.name} as {a.asname}" for a in names]
            head = f"from {'.' * node.level}{node.module or ''} import "
            text = head + ", ".join(listed) + "\n"
            if len(text) > LINE_LENGTH + 1:  # as black splits a long import
                text = head + "(\n" + "".join(f"    {name},\n" for name in listed) + ")\n"
        elif start > 0 and not lines[start - 1].strip():
            start -= 1  # the import goes, and so does the blank line that set it apart
        lines[start:end] = [text]
    return "".join(lines)
