"""Turn checked argument values into the wire ``data`` list, uploading files first.

Split in a pure collect step and a substitute step so the sync and async clients only
differ in how they upload.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .schema import PathKey
from .endpoint import Endpoint
from .errors import ValidationError
from .files import FILE_MARKER, FileRef, UploadFile, handle_file, is_file_data

__all__ = ["Pending", "collect", "substitute"]


@dataclass
class _Slot:
    index: int


@dataclass
class Pending:
    """Values with placeholders where files still need uploading."""

    values: list[Any]
    uploads: list[tuple[str, UploadFile]]


def collect(endpoint: Endpoint[Any], values: Sequence[Any]) -> Pending:
    uploads: list[tuple[str, UploadFile]] = []
    out: list[Any] = []
    for param, value in zip(endpoint.params, values):
        paths = param.file_paths
        if paths and value is not None:
            for path in paths:
                value = _at_path(value, path, param.name, uploads)
        out.append(value)
    return Pending(out, uploads)


def _convert_file(value: Any, param: str, uploads: list[tuple[str, UploadFile]]) -> Any:
    if value is None or is_file_data(value):
        return value
    if isinstance(value, dict) and isinstance(value.get("path"), str):
        # A FileData-like dict from the user: mark it so gradio 5+ treats it as a file.
        return {**value, "meta": dict(FILE_MARKER)}
    if isinstance(value, FileRef):
        return value.to_wire()
    try:
        handled = handle_file(value)
    except FileNotFoundError as exc:
        raise ValidationError(f"argument {param!r}: {exc}", parameter=param) from None
    except TypeError as exc:
        raise ValidationError(f"argument {param!r}: {exc}", parameter=param) from None
    if isinstance(handled, UploadFile):
        uploads.append((param, handled))
        return _Slot(len(uploads) - 1)
    if isinstance(handled, FileRef):
        return handled.to_wire()
    return handled


def _at_path(
    value: Any, path: tuple[PathKey, ...], param: str, uploads: list[tuple[str, UploadFile]]
) -> Any:
    if not path:
        return _convert_file(value, param, uploads)
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(value, (list, tuple)):
            return [_at_path(v, rest, param, uploads) for v in value]
        return value
    if isinstance(head, int):
        if isinstance(value, (list, tuple)) and head < len(value):
            items = list(value)
            items[head] = _at_path(items[head], rest, param, uploads)
            return items
        return value
    if isinstance(value, dict) and head in value:
        if is_file_data(value):
            return value
        return {**value, head: _at_path(value[head], rest, param, uploads)}
    return value


def substitute(
    pending: Pending, server_paths: Sequence[str | Mapping[str, Any]]
) -> list[Any]:
    """Replace upload placeholders with FileData dicts for the uploaded paths (or with
    the value itself where a server takes files inline, not uploaded: a mapping)."""

    def fill(value: Any) -> Any:
        if isinstance(value, _Slot):
            upload = pending.uploads[value.index][1]
            where = server_paths[value.index]
            if isinstance(where, Mapping):
                return dict(where)
            return {
                "path": where,
                "orig_name": upload.name,
                "size": upload.size(),
                "meta": dict(FILE_MARKER),
            }
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    if not pending.uploads:
        return pending.values
    return [fill(v) for v in pending.values]


def uploads_of(pending: Pending) -> list[UploadFile]:
    return [u for _, u in pending.uploads]
