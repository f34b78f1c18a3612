"""The asyncio session for old Gradio servers (3.x and 4.0-4.8: one stream per job):
``AsyncOldSession`` runs each job as a task on a stream of its own. The blocking twin
is ``_old_session`` (whose docstring tells the protocol); both are thin drivers over
``_old_jobs`` and ``_old_wire``, which hold the decisions.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Mapping, Sequence

from . import _http
from . import _old_jobs as per_job
from ._answers import dumps
from ._connection import JSON, Connection, status_error
from ._h1_async import achunks
from ._inputs import uploads_of
from ._old_wire import PerJobExchange
from ._sse import SSEDecoder
from .endpoint import Endpoint
from .errors import APIConnectionError, GradioError, ProtocolError
from .jobs import AsyncJob, AsyncJobState

__all__ = ["AsyncOldSession"]

log = logging.getLogger("gradio_codegen")


class AsyncOldSession(per_job.PerJobSessionBase):
    """Jobs of an async client on an old server, each a task with a stream of its own."""

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._jobs: dict[int, AsyncJobState] = {}

    async def submit(self, endpoint: Endpoint[Any], values: Sequence[Any]) -> AsyncJob[Any]:
        info = await self.conn.aensure_ready()
        pending = per_job.checked_inputs(self.conn, endpoint, values)
        files = uploads_of(pending)
        paths: list[str | Mapping[str, Any]] = []
        if per_job.files_inline(info):
            for item in files:
                paths.append(await asyncio.to_thread(per_job.inline_file, item))
        elif files:
            paths.extend(await self.conn.aupload(files))
        core, exchange = per_job.job_parts(
            self.conn, info, endpoint, pending, paths, self.session_hash
        )
        core.session_hash = exchange.session_hash
        job = AsyncJobState(core)
        how = per_job.runner(info, exchange)
        if how == "ws":
            try:
                import websockets.asyncio.client  # noqa: F401
            except ImportError:
                raise per_job.websockets_missing(info) from None
        if self._closed:
            raise GradioError("the client is closed")
        run = {"post": self._run_post, "ws": self._run_ws, "sse": self._run_sse}[how]
        self._jobs[id(job)] = job
        self._exchanges[id(job)] = exchange
        self._tasks[id(job)] = asyncio.create_task(self._serve(run, job, exchange))
        return AsyncJob(job, self)

    async def _serve(self, run: Any, job: AsyncJobState, exchange: PerJobExchange) -> None:
        try:
            await run(job, exchange)
            per_job.end_of_stream(job)
        except GradioError as exc:
            per_job.end(job, exc)
        except asyncio.CancelledError:
            per_job.end(job, APIConnectionError("the job's task was cancelled"))
            raise
        except Exception as exc:  # never leave the job waiting on a dead stream
            per_job.end(job, ProtocolError(f"the job's stream failed: {exc!r}"))
        finally:
            self._tasks.pop(id(job), None)
            self._jobs.pop(id(job), None)
            self._exchanges.pop(id(job), None)

    async def _run_sse(self, job: AsyncJobState, exchange: PerJobExchange) -> None:
        conn = self.conn
        url = conn.url("queue/join") + "?" + exchange.join_query()
        try:
            async with await conn.astream_get(url, conn.stream_http_timeout) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise status_error(response, "joining the queue")
                decoder = SSEDecoder()
                async for chunk in achunks(response):
                    for reply in per_job.answers(job, exchange, decoder.feed(chunk)):
                        await self._post_data(reply)
                    if per_job.finished(job, exchange):
                        return
        except (_http.TransportError, _http.TimeoutException) as exc:
            if not job.core.done:
                raise per_job.http_error(exc, conn) from None

    async def _run_post(self, job: AsyncJobState, exchange: PerJobExchange) -> None:
        response = await self.conn._asend(
            "POST", self.conn.url(exchange.run_path), "calling the app", content_type=JSON,
            content=dumps(exchange.run_body()),
        )
        message = per_job.run_message(response)
        exchange.feed(message)
        per_job.deliver(job, exchange, message)

    async def _post_data(self, body: dict[str, Any]) -> None:
        response = await self.conn._asend(
            "POST", self.conn.url("queue/data"), "sending the job's data",
            content_type=JSON, content=dumps(body),
        )
        if response.status_code >= 400:
            raise status_error(response, "sending the job's data")

    async def _run_ws(self, job: AsyncJobState, exchange: PerJobExchange) -> None:
        from websockets.asyncio.client import connect

        url, options = per_job.ws_target(self.conn, self.conn.aclient)
        try:
            async with connect(url, **options) as ws:
                opening = exchange.opening()
                if opening is not None:
                    await ws.send(json.dumps(opening))
                while not per_job.finished(job, exchange):
                    for reply in per_job.answers(job, exchange, [json.loads(await ws.recv())]):
                        await ws.send(json.dumps(reply))
        except Exception as exc:
            if not job.core.done:
                raise per_job.ws_error(exc, self.conn) from None

    async def cancel(self, job: AsyncJobState) -> bool:
        request = self._reset_request(job)
        if request is not None:
            try:
                await self.conn._asend(
                    "POST", request[0], "cancelling", content_type=JSON, content=request[1]
                )
            except GradioError as exc:
                log.warning("cancel request failed: %s", exc)
        job.cancelled()
        task = self._tasks.get(id(job))
        if task is not None:
            task.cancel()  # closes the job's stream
        return True

    async def close(self) -> None:
        self._closed = True
        for job in list(self._jobs.values()):
            job.cancelled("the client was closed")
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
