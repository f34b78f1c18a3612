"""Format generated Python with black, in-process, with an explicit mode.

The mode never comes from a pyproject file, so output does not depend on the
directory the generator runs in.
"""

from __future__ import annotations

import functools
import re
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


#: Module-level ``from X import a, b`` or ``from X import (\n    a,\n)``: the two forms
#: templates and datamodel-code-generator write (schema text never starts a line at
#: column 0: it sits in string literals and indented docstrings).
_FROM_IMPORT = re.compile(
    r"^from (\.*[\w.]*) import (?:\(\n((?:[ \t]+[^\n]*\n)*?)\)|([^\n(]+))\n", re.M
)
#: String literals and comments, whose words are not uses of a name.
_NOT_CODE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|#[^\n]*'
)
_ALL = re.compile(r"^__all__ = \[\n((?:    [^\n]*\n)*)\]", re.M)


def prune_imports(source: str) -> str:
    """Drop names from module-level ``from X import ...`` that the module never uses.

    Templates import everything an SDK might need; pyright strict flags unused imports,
    so each file keeps only what it references (``__all__`` entries count as used, and
    ``from __future__`` imports are always kept). Uses are words of the code outside
    strings and comments: parsing the module with ``ast`` cost a quarter of the time
    of rendering a large SDK.
    """
    imports = list(_FROM_IMPORT.finditer(source))
    code = _FROM_IMPORT.sub("", source)
    used = set(re.findall(r"[^\W\d]\w*", _NOT_CODE.sub(" ", code)))  # any script
    for block in _ALL.finditer(code):
        used.update(re.findall(r'"([^"\\]*)"', block.group(1)))
    out: list[str] = []
    pos = 0
    for match in imports:
        module = match.group(1)
        listed = [
            name.strip()
            for name in (match.group(2) or match.group(3)).replace("\n", ",").split(",")
            if name.strip()
        ]
        names = [n for n in listed if n.split(" as ")[-1].strip() in used]
        out.append(source[pos:match.start()])
        pos = match.end()
        if module == "__future__" or len(names) == len(listed):
            out.append(match.group(0))
            continue
        if not names:
            if source[: match.start()].endswith("\n\n") and out[-1]:
                out[-1] = out[-1][:-1]  # the import goes, and the blank line setting it apart
            continue
        head = f"from {module} import "
        text = head + ", ".join(names) + "\n"
        if len(text) > LINE_LENGTH + 1:  # as black splits a long import
            text = head + "(\n" + "".join(f"    {name},\n" for name in names) + ")\n"
        out.append(text)
    out.append(source[pos:])
    return "".join(out)
