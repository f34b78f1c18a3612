"""Format generated Python with black, in-process, with an explicit mode.

The mode never comes from a pyproject file, so output does not depend on the
directory the generator runs in.
"""

from __future__ import annotations

import black
from black.mode import TargetVersion

__all__ = ["format_python"]

MODE = black.Mode(
    target_versions={TargetVersion.PY310},
    line_length=88,
    string_normalization=True,
    is_pyi=False,
)


def format_python(source: str) -> str:
    """Return ``source`` formatted by black (raises on invalid syntax)."""
    return black.format_str(source, mode=MODE)
