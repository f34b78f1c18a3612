"""Output values as the caller gets them: every FileData dict the app sent becomes a
``FileRef``, or a ``MediaStream`` for a streamed media output (``is_stream``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .files import FileRef, is_file_data

if TYPE_CHECKING:
    from ._connection import Connection

__all__ = ["to_file_ref", "wrap_files"]


def to_file_ref(value: dict[str, Any], conn: Connection | None) -> FileRef:
    size = value.get("size")
    kind = FileRef
    if value.get("is_stream") is True:
        from .media import MediaStream  # HLS following loads only for streamed media

        kind = MediaStream
    return kind(
        url=value.get("url") if isinstance(value.get("url"), str) else None,
        path=value["path"],
        orig_name=value.get("orig_name") if isinstance(value.get("orig_name"), str) else None,
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        mime_type=value.get("mime_type") if isinstance(value.get("mime_type"), str) else None,
        is_stream=bool(value.get("is_stream", False)),
        _conn=conn,
    )


def wrap_files(value: Any, conn: Connection | None, depth: int = 0) -> Any:
    """Replace every FileData dict inside an output value by a FileRef."""
    if depth > 32:
        return value
    if isinstance(value, dict):
        if is_file_data(value):
            return to_file_ref(value, conn)
        return {k: wrap_files(v, conn, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [wrap_files(v, conn, depth + 1) for v in value]
    return value
