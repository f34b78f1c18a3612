"""The official ``gradio_client`` (runs in the Gradio server environment).

The orchestrator sets ``HF_HUB_OFFLINE=1`` and ``HF_HUB_DISABLE_TELEMETRY=1`` so it
cannot reach the internet. Its ``predict`` downloads file outputs by itself, so the
download figure includes the call that makes the file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from gradio_client import Client, handle_file

IMPORT = "gradio_client"
IS_ASYNC = False
DOWNLOAD_INCLUDES_CALL = True


class Adapter:
    def __init__(self, url: str) -> None:
        self.url = url
        self.client = Client(url, verbose=False, download_files=False)

    def call(self, text: str) -> str:
        return self.client.predict(text, api_name="/echo")  # type: ignore[no-any-return]

    def stream(self, n: int) -> int:
        job = self.client.submit(n, api_name="/count")
        return sum(1 for _ in job)

    def upload(self, path: str) -> Any:
        return self.client.predict(handle_file(path), api_name="/echo_file")

    def prepare_download(self, size: int) -> Any:
        # A second client that downloads outputs, made before the timed part.
        self._downloader = Client(
            self.url, verbose=False, download_files=tempfile.mkdtemp(prefix="bench-gc-")
        )
        return size

    def download(self, handle: Any, directory: str) -> Path:
        return Path(self._downloader.predict(handle, api_name="/make_file"))

    def close(self) -> None:
        self.client.close()

