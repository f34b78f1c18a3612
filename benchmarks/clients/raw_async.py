"""The async floor: one ``httpx.AsyncClient`` and one queue session for all jobs.

Every job joins under the same session (at most ``JOINS_IN_FLIGHT`` joins at once: a
burst of hundreds of parallel POSTs makes httpcore's pool and the server crawl); one
reader task reads the session's event stream and resolves each job's future on its
``process_completed``, reopening the stream when the server closed it while jobs were
still pending.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from .raw import FN, LIMITS, PREFIX, TIMEOUT, completed_data

IMPORT = "httpx"
IS_ASYNC = True
JOINS_IN_FLIGHT = 16


class Adapter:
    def __init__(self, url: str) -> None:
        self.api = url.rstrip("/") + PREFIX
        self.http = httpx.AsyncClient(timeout=TIMEOUT, limits=LIMITS, trust_env=False)
        self.session = uuid.uuid4().hex
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.early: dict[str, dict[str, Any]] = {}
        self.reader: asyncio.Task[None] | None = None
        self.slots: asyncio.Semaphore | None = None

    async def _read(self) -> None:
        url = self.api + "/queue/data"
        try:
            while self.waiting:
                async with self.http.stream(
                    "GET", url, params={"session_hash": self.session}
                ) as response:
                    async for line in response.aiter_lines():
                        if not line.startswith("data:"):
                            continue
                        message = json.loads(line[5:])
                        if message["msg"] == "close_stream":
                            break
                        if message["msg"] != "process_completed":
                            continue
                        future = self.waiting.pop(message["event_id"], None)
                        if future is None:
                            self.early[message["event_id"]] = message
                        elif not future.done():
                            future.set_result(message)
        except Exception as exc:  # fail every waiter rather than hang
            for future in self.waiting.values():
                if not future.done():
                    future.set_exception(exc)
            self.waiting.clear()
        finally:
            self.reader = None

    async def _run(self, fn: str, data: list[Any]) -> list[Any]:
        body = {"data": data, "fn_index": FN[fn], "session_hash": self.session}
        if self.slots is None:
            self.slots = asyncio.Semaphore(JOINS_IN_FLIGHT)
        async with self.slots:
            response = await self.http.post(self.api + "/queue/join", json=body)
        response.raise_for_status()
        event_id = response.json()["event_id"]
        message = self.early.pop(event_id, None)
        if message is None:
            future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            self.waiting[event_id] = future
            if self.reader is None:
                self.reader = asyncio.create_task(self._read())
            message = await future
        return completed_data(message)

    async def call(self, text: str) -> str:
        return (await self._run("echo", [text]))[0]  # type: ignore[no-any-return]

    async def stream(self, n: int) -> int:
        raise NotImplementedError("the generator floor is the sync raw client")

    async def upload(self, path: str) -> Any:
        raise NotImplementedError("the file floor is the sync raw client")

    async def prepare_download(self, size: int) -> Any:
        raise NotImplementedError("the file floor is the sync raw client")

    async def download(self, handle: Any, directory: str) -> Path:
        raise NotImplementedError("the file floor is the sync raw client")

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        await self.http.aclose()
