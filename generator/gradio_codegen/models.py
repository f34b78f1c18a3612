"""Object schemas to TypedDicts, through datamodel-code-generator in one call per SDK.

Options are explicit (no formatter, no config file lookup, no timestamp) so the
output depends only on the schemas. ``_type`` keys keep their wire names.
"""

from __future__ import annotations

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


_ALIAS = re.compile(r"^(\w+): TypeAlias = ([^\n'\"]+)\n", re.M)


def _inline_aliases(text: str, named: set[str]) -> str:
    """Replace the type aliases datamodel-code-generator names itself (``ValueItem`` for
    a tuple under a ``value`` property) by their types: identifiers in an SDK come from
    the sanitizer only, and a schema's property names are the app's text. Aliases that
    refer to themselves, or whose type holds a string, stay."""
    while True:
        for match in _ALIAS.finditer(text):
            name, expr = match.group(1), match.group(2).strip()
            if name in named or re.search(rf"\b{name}\b", expr):
                continue
            rest = text[: match.start()] + text[match.end():]
            text = re.sub(rf"\b{name}\b", lambda _: expr, rest)
            break
        else:
            return text


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
