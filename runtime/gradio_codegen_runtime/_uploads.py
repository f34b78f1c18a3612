"""The files a join sends, read without I/O: an ``UploadFile`` opened for streaming (not
read into memory) and the app's answer to an upload. The upload requests themselves are
``Connection.upload`` / ``aupload`` (``_requests_async``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _http
from ._httperrors import status_error
from .errors import ProtocolError, ValidationError

if TYPE_CHECKING:
    from .files import UploadFile

__all__ = ["opened", "upload_paths"]


def upload_paths(response: _http.Response, count: int) -> list[str]:
    if response.status_code == 413:
        raise ValidationError("the file is larger than the app accepts (HTTP 413)")
    if response.status_code >= 400:
        raise status_error(response, "uploading a file")
    try:
        paths = response.json()
    except ValueError:
        raise ProtocolError("uploading a file: the answer is not JSON") from None
    if not isinstance(paths, list) or len(paths) != count or not all(
        isinstance(p, str) for p in paths
    ):
        raise ProtocolError("uploading a file: unexpected answer")
    return paths


class opened:
    """Open an UploadFile for streaming without reading it into memory."""

    def __init__(self, upload: UploadFile) -> None:
        self.upload = upload
        self._fh: Any = None

    def __enter__(self) -> Any:
        if self.upload.path is not None:
            self._fh = open(self.upload.path, "rb")
            return self._fh
        if self.upload.data is not None:
            return self.upload.data
        return self.upload.stream

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.close()
