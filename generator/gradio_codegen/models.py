"""Object schemas to TypedDicts, through datamodel-code-generator in one call per SDK.

Options are explicit (no formatter, no config file lookup, no timestamp) so the
output depends only on the schemas. ``_type`` keys keep their wire names.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any, Mapping

__all__ = ["render_models"]

_ROOT = "GradioCodegenRoot"


def render_models(defs: Mapping[str, Any]) -> str:
    """Python source (imports stripped) of TypedDicts for ``defs``; "" when empty."""
    if not defs:
        return ""
    from datamodel_code_generator import GenerateConfig, InputFileType, LiteralType, generate
    from datamodel_code_generator.format import PythonVersion
    from datamodel_code_generator.enums import DataModelType

    document = {"$defs": dict(defs), "title": _ROOT, "type": "object", "properties": {}}
    code = generate(
        json.dumps(document),
        config=GenerateConfig(
            input_file_type=InputFileType.JsonSchema,
            output_model_type=DataModelType.TypingTypedDict,
            target_python_version=PythonVersion.PY_310,
            enum_field_as_literal=LiteralType.All,
            strict_nullable=True,
            disable_timestamp=True,
            special_field_name_prefix="",
            formatters=[],
            keep_model_order=True,
            use_standard_collections=True,
            use_union_operator=True,
            use_schema_description=False,
            use_field_description=False,
            custom_file_header="",
            class_name=_ROOT,
            snake_case_field=False,
            capitalise_enum_members=False,
        ),
    )
    assert isinstance(code, str)
    return _inline_aliases(_strip(code), set(defs))


def _inline_aliases(text: str, named: set[str]) -> str:
    """Replace the type aliases datamodel-code-generator names itself (``ValueItem`` for
    a tuple under a ``value`` property) by their types: identifiers in an SDK come from
    the sanitizer only, and a schema's property names are the app's text. Aliases that
    refer to themselves stay. Works on the syntax tree, so string literals in a type
    and fields that share an alias's name are left alone."""
    while True:
        tree = ast.parse(text)
        alias = next((node for node in tree.body if _invented_alias(node, named)), None)
        if alias is None:
            return text
        assert isinstance(alias, ast.AnnAssign) and isinstance(alias.target, ast.Name)
        assert alias.value is not None and alias.end_lineno is not None
        expr = ast.get_source_segment(text, alias.value)
        assert expr is not None
        lines = text.splitlines(keepends=True)
        del lines[alias.lineno - 1 : alias.end_lineno]
        text = _substitute("".join(lines), alias.target.id, expr)


def _invented_alias(node: ast.stmt, named: set[str]) -> bool:
    return (
        isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and isinstance(node.annotation, ast.Name)
        and node.annotation.id == "TypeAlias"
        and node.value is not None
        and node.target.id not in named
        and not any(
            isinstance(n, ast.Name) and n.id == node.target.id for n in ast.walk(node.value)
        )
    )


def _substitute(text: str, name: str, expr: str) -> str:
    """``text`` with every use (not definition) of the name ``name`` replaced by ``expr``."""
    spots = sorted(
        (
            (n.lineno, n.col_offset, n.end_col_offset)
            for n in ast.walk(ast.parse(text))
            if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
        ),
        reverse=True,
    )
    lines = text.splitlines(keepends=True)
    for lineno, start, end in spots:
        raw = lines[lineno - 1].encode()  # offsets count UTF-8 bytes
        lines[lineno - 1] = (raw[:start] + expr.encode() + raw[end or start:]).decode()
    return "".join(lines)


def _strip(code: str) -> str:
    """Drop imports (the template writes its own) and the empty root model."""
    lines = [
        line for line in code.splitlines() if not line.startswith(("from ", "import ", "#"))
    ]
    text = "\n" + "\n".join(lines) + "\n"
    text = re.sub(rf"\nclass {_ROOT}\(TypedDict\):\n    pass\n", "\n", text)
    text = re.sub(rf"\n{_ROOT}: TypeAlias = .*\n", "\n", text)
    if re.search(rf"\b{_ROOT}\b", text):
        raise ValueError("datamodel-code-generator output kept the root model")
    return text.strip() + "\n"
