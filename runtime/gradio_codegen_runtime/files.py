"""File inputs and outputs.

Inputs may be a local path (``str`` or ``os.PathLike``), ``bytes``, a binary file
object, an ``http(s)`` URL, or a ``FileRef`` the same app returned earlier. Outputs are
``FileRef`` objects: nothing is downloaded until ``download()`` or ``read_bytes()`` is
called, and downloads never write outside the chosen directory, whatever name the
server sends.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Union

from . import _transfer

if TYPE_CHECKING:
    from ._connection import Connection

__all__ = ["FileInput", "FileRef", "UploadFile", "handle_file", "is_file_like", "safe_filename"]

#: What a file parameter accepts.
FileInput = Union[str, "os.PathLike[str]", bytes, IO[bytes], "FileRef"]

FILE_MARKER = {"_type": "gradio.FileData"}
_WINDOWS_RESERVED = {
    "CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def is_file_like(value: Any) -> bool:
    """True for readable binary file objects."""
    return hasattr(value, "read") and callable(value.read) and not isinstance(value, (str, bytes))


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def safe_filename(name: str | None, fallback: str = "file") -> str:
    """A file name that stays inside its directory on every platform.

    Keeps only the last path component, drops control characters, NUL bytes and
    leading dots, and renames reserved device names.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(ch for ch in text if ch.isprintable() and ch not in '<>:"|?*')
    text = text.strip().lstrip(".").strip()
    if not text:
        text = fallback
    stem = text.split(".", 1)[0].upper()
    if stem in _WINDOWS_RESERVED:
        text = "_" + text
    encoded = text.encode("utf-8")
    if len(encoded) > 200:
        suffix = Path(text).suffix[:16]
        text = encoded[: 200 - len(suffix.encode())].decode("utf-8", "ignore") + suffix
    return text


@dataclass(frozen=True)
class UploadFile:
    """A file prepared for upload: a name and a way to open its bytes."""

    name: str
    path: Path | None = None
    data: bytes | None = None
    stream: IO[bytes] | None = None

    def size(self) -> int | None:
        if self.path is not None:
            return self.path.stat().st_size
        if self.data is not None:
            return len(self.data)
        return None


def handle_file(value: Any, *, name: str | None = None) -> UploadFile | dict[str, Any] | FileRef:
    """Normalize a file input: a URL becomes FileData, everything else an UploadFile.

    Raises ``FileNotFoundError`` for a missing local path and ``TypeError`` for values
    that are not files.
    """
    if isinstance(value, FileRef):
        return value
    if isinstance(value, str) and is_url(value):
        orig = name or safe_filename(value.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1])
        return {"path": value, "url": value, "orig_name": orig, "meta": dict(FILE_MARKER)}
    if isinstance(value, (str, os.PathLike)):
        path = Path(os.fspath(value))
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {os.fspath(value)!r}")
        return UploadFile(name=safe_filename(name or path.name), path=path)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return UploadFile(name=safe_filename(name, "upload.bin"), data=bytes(value))
    if is_file_like(value):
        raw_name = name or getattr(value, "name", None)
        base = os.path.basename(raw_name) if isinstance(raw_name, str) else None
        return UploadFile(name=safe_filename(base, "upload.bin"), stream=value)
    raise TypeError(f"not a file input: {type(value).__name__}")


@dataclass(frozen=True)
class FileRef:
    """A file the app returned: metadata now, bytes on request.

    ``url`` is where the runtime downloads it; ``path`` is the server's path, which
    can be passed back to the same app as an input without uploading again.
    """

    url: str | None
    path: str
    orig_name: str | None = None
    size: int | None = None
    mime_type: str | None = None
    is_stream: bool = False
    _conn: Connection | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        """A safe local file name for this file."""
        return safe_filename(self.orig_name or self.path.rsplit("/", 1)[-1])

    def to_wire(self) -> dict[str, Any]:
        """The FileData dict sent when this file is passed back as an input."""
        data: dict[str, Any] = {"path": self.path, "meta": dict(FILE_MARKER)}
        if self.url:
            data["url"] = self.url
        if self.orig_name:
            data["orig_name"] = self.orig_name
        if self.size is not None:
            data["size"] = self.size
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data

    def _require_conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("this FileRef is not attached to a client")
        return self._conn

    def download(self, directory: str | os.PathLike[str] = ".", *, name: str | None = None) -> Path:
        """Stream the file into ``directory`` (created if needed) and return its path."""
        target = _target(directory, name or self.name)
        _transfer.download(self._require_conn(), self._source(), target)
        return target

    def read_bytes(self) -> bytes:
        """Fetch the whole file into memory."""
        return _transfer.read_bytes(self._require_conn(), self._source())

    async def adownload(
        self, directory: str | os.PathLike[str] = ".", *, name: str | None = None
    ) -> Path:
        """Async ``download``."""
        target = _target(directory, name or self.name)
        await _transfer.adownload(self._require_conn(), self._source(), target)
        return target

    async def aread_bytes(self) -> bytes:
        """Async ``read_bytes``."""
        return await _transfer.aread_bytes(self._require_conn(), self._source())

    def _source(self) -> str:
        conn = self._require_conn()
        return conn.file_url(self.path, self.url, self.is_stream)


def _target(directory: str | os.PathLike[str], name: str) -> Path:
    root = Path(directory).resolve()
    root.mkdir(parents=True, exist_ok=True)
    target = (root / safe_filename(name)).resolve()
    if target.parent != root:
        raise ValueError(f"refusing to write outside {str(root)!r}")
    return target


def is_file_data(value: Any) -> bool:
    """True for a FileData dict the server sent."""
    if not isinstance(value, dict) or not isinstance(value.get("path"), str):
        return False
    meta = value.get("meta")
    return isinstance(meta, dict) and meta.get("_type") == "gradio.FileData"
