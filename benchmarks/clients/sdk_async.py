"""The generated SDK, ``AsyncClient``."""

from __future__ import annotations

from typing import Any

import bench_sdk

IMPORT = "bench_sdk"
IS_ASYNC = True


class Adapter:
    def __init__(self, url: str) -> None:
        self.client = bench_sdk.AsyncClient()

    async def call(self, text: str) -> Any:
        return await self.client.echo(text)

    async def stream(self, n: int) -> int:
        count = 0
        async for _ in await self.client.submit.count(n):
            count += 1
        return count

    async def upload(self, path: str) -> Any:
        return await self.client.echo_file(path)

    async def prepare_download(self, size: int) -> Any:
        return await self.client.make_file(size)

    async def download(self, handle: Any, directory: str) -> Any:
        return await handle.adownload(directory)

    async def close(self) -> None:
        await self.client.aclose()
