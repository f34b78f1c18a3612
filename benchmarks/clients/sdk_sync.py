"""The generated SDK, sync ``Client``."""

from __future__ import annotations

from typing import Any

import bench_sdk

IMPORT = "bench_sdk"
IS_ASYNC = False


class Adapter:
    def __init__(self, url: str) -> None:
        self.client = bench_sdk.Client()  # the URL the SDK was generated from

    def call(self, text: str) -> Any:
        return self.client.echo(text)

    def stream(self, n: int) -> int:
        return sum(1 for _ in self.client.submit.count(n))

    def upload(self, path: str) -> Any:
        return self.client.echo_file(path)  # a FileRef: nothing is downloaded

    def prepare_download(self, size: int) -> Any:
        return self.client.make_file(size)

    def download(self, handle: Any, directory: str) -> Any:
        return handle.download(directory)

    def close(self) -> None:
        self.client.close()
