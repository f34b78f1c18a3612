"""The floor: a minimal hand-written client of the Gradio queue protocol over httpx.

One pooled ``httpx.Client`` (kept-alive connections, shared by every thread); each call
joins the queue under a fresh session and reads that session's event stream until its
``process_completed``. It does only what the benchmark endpoints need: no retries, no
status tracking, no validation; generator diffs only at the root path.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import httpx

IMPORT = "httpx"
IS_ASYNC = False
PREFIX = "/gradio_api"
FN = {"echo": 0, "count": 1, "echo_file": 2, "file_size": 3, "make_file": 4}
TIMEOUT = httpx.Timeout(120.0)
LIMITS = httpx.Limits()  # httpx's defaults, as a minimal client would use


def file_data(path: str, name: str) -> dict[str, Any]:
    return {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}


def apply_root_diff(value: Any, diff: Any) -> Any:
    """Apply a generator diff whose operations all target the root value."""
    for action, path, new in diff:
        if path:
            raise NotImplementedError("the raw floor handles root diffs only")
        value = value + new if action == "append" else new
    return value


def completed_data(message: dict[str, Any]) -> list[Any]:
    if not message.get("success"):
        raise RuntimeError(f"the job failed: {message.get('output')!r}")
    return message["output"]["data"]  # type: ignore[no-any-return]


class Adapter:
    def __init__(self, url: str) -> None:
        self.api = url.rstrip("/") + PREFIX
        self.http = httpx.Client(timeout=TIMEOUT, limits=LIMITS, trust_env=False)

    def _join(self, fn: str, data: list[Any], session: str) -> str:
        body = {"data": data, "fn_index": FN[fn], "session_hash": session}
        response = self.http.post(self.api + "/queue/join", json=body)
        response.raise_for_status()
        return response.json()["event_id"]  # type: ignore[no-any-return]

    def _messages(self, fn: str, data: list[Any]) -> Any:
        session = uuid.uuid4().hex
        event_id = self._join(fn, data, session)
        url = self.api + "/queue/data"
        with self.http.stream("GET", url, params={"session_hash": session}) as response:
            # Read to the end of the body (the server ends it after close_stream), so
            # that the connection goes back to the pool instead of being closed.
            for line in response.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("event_id") == event_id:
                        yield message

    def _run(self, fn: str, data: list[Any]) -> list[Any]:
        result: list[Any] | None = None
        for message in self._messages(fn, data):
            if message["msg"] == "process_completed":
                result = completed_data(message)
        if result is None:
            raise RuntimeError("the stream ended without a result")
        return result

    def call(self, text: str) -> str:
        return self._run("echo", [text])[0]  # type: ignore[no-any-return]

    def stream(self, n: int) -> int:
        updates = 0
        value: Any = None
        for message in self._messages("count", [n]):
            if message["msg"] == "process_generating":
                diff = message["output"]["data"][0]
                value = diff if updates == 0 else apply_root_diff(value, diff)
                updates += 1
            elif message["msg"] == "process_completed":
                completed_data(message)
        return updates

    def _upload(self, path: str) -> str:
        name = os.path.basename(path)
        with open(path, "rb") as fileobj:
            response = self.http.post(
                self.api + "/upload", files=[("files", (name, fileobj, "application/octet-stream"))]
            )
        response.raise_for_status()
        return response.json()[0]  # type: ignore[no-any-return]

    def upload(self, path: str) -> Any:
        server_path = self._upload(path)
        return self._run("echo_file", [file_data(server_path, os.path.basename(path))])[0]

    def prepare_download(self, size: int) -> Any:
        return self._run("make_file", [size])[0]

    def download(self, handle: Any, directory: str) -> Path:
        target = Path(directory) / Path(handle["path"]).name
        url = self.api + "/file=" + handle["path"]
        with self.http.stream("GET", url) as response, open(target, "wb") as out:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                out.write(chunk)
        return target

    def close(self) -> None:
        self.http.close()
