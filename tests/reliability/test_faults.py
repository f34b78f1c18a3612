"""Fault injection: every failure ends in a typed error or a safe retry, never a hang,
never a job run twice, and nothing leaks after ``close()``."""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from gradio_codegen_runtime import AsyncClient, Client
from gradio_codegen_runtime.errors import (
    APIConnectionError,
    APITimeoutError,
    QueueFullError,
    RateLimitError,
)
from tests.reliability.conftest import Resources, executions, new_tag, release
from tests.reliability.proxy import Proxy, Request, Rule, http_response, wait_until
from tests.servers.pool import Server, start_server

pytestmark = pytest.mark.timeout(90)

QUEUE_FULL = http_response(
    503, b'{"detail":"Queue is full. Max size is 1 and size is 1."}',
    {"content-type": "application/json", "retry-after": "0"},
)
RATE_LIMITED = http_response(
    429, b'{"detail":"slow down"}', {"content-type": "application/json", "retry-after": "0"}
)
SHORT = 10.0  # stream_timeout of clients facing stalled streams


def _client(proxy: Proxy, **kwargs: Any) -> Client:
    client = Client(proxy.url, **kwargs)
    client.endpoints()  # discovery happens before any fault is armed
    return client


def test_queue_full_then_success_retries_safely(
    proxy: Proxy, jobs_server: Server, resources: Resources
) -> None:
    client = _client(proxy)
    tag = new_tag()
    proxy.add(Rule("queue/join", "respond", times=2, response=QUEUE_FULL))
    assert client.predict("/echo", "hi", tag) == f"hi|{tag}"
    assert len(proxy.seen("queue/join")) == 3
    assert executions(jobs_server, "echo", tag) == 1
    client.close()
    resources.assert_released(proxy)


def test_queue_full_exhausts_retries(proxy: Proxy, jobs_server: Server, resources: Resources) -> None:
    client = _client(proxy, max_retries=1)
    tag = new_tag()
    proxy.add(Rule("queue/join", "respond", times=-1, response=QUEUE_FULL))
    with pytest.raises(QueueFullError, match="Queue is full"):
        client.predict("/echo", "hi", tag)
    assert len(proxy.seen("queue/join")) == 2
    assert executions(jobs_server, "echo", tag) == 0
    client.close()
    resources.assert_released(proxy)


def test_rate_limited_join_reports_retry_after(
    proxy: Proxy, jobs_server: Server, resources: Resources
) -> None:
    client = _client(proxy, max_retries=2)
    tag = new_tag()
    proxy.add(Rule("queue/join", "respond", times=-1, response=RATE_LIMITED))
    with pytest.raises(RateLimitError) as info:
        client.predict("/echo", "hi", tag)
    assert info.value.retry_after == 0.0 and info.value.status_code == 429
    assert len(proxy.seen("queue/join")) == 3
    assert executions(jobs_server, "echo", tag) == 0
    client.close()
    resources.assert_released(proxy)


def test_reset_before_join_reaches_server(
    proxy: Proxy, jobs_server: Server, resources: Resources
) -> None:
    client = _client(proxy)
    tag = new_tag()
    proxy.add(Rule("queue/join", "reset_before"))
    with pytest.raises(APIConnectionError):
        client.predict("/echo", "hi", tag)
    assert len(proxy.seen("queue/join")) == 1  # not retried: the join may have been queued
    assert client.predict("/echo", "again", tag) == f"again|{tag}"
    assert executions(jobs_server, "echo", tag) == 1
    client.close()
    resources.assert_released(proxy)


def test_reset_after_join_is_not_retried(
    proxy: Proxy, jobs_server: Server, resources: Resources
) -> None:
    client = _client(proxy)
    tag, later = new_tag(), new_tag()
    proxy.add(Rule("queue/join", "reset_after"))
    with pytest.raises(APIConnectionError):
        client.predict("/block", tag)
    assert len(proxy.seen("queue/join")) == 1
    release(jobs_server, tag)
    assert client.predict("/echo", "x", later) == f"x|{later}"
    assert executions(jobs_server, "block", tag) <= 1
    client.close()
    resources.assert_released(proxy)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_stalled_stream_times_out(
    proxy: Proxy, jobs_server: Server, resources: Resources, kind: str
) -> None:
    # stream_timeout outlasts the 15 s heartbeat by default; shorten it.
    tag = new_tag()
    proxy.add(Rule("queue/data", "stall"))
    if kind == "sync":
        client = _client(proxy, stream_timeout=SHORT)
        job = client.submit("/echo", "hi", tag)
        with pytest.raises(APITimeoutError):
            job.result(timeout=60)
        assert proxy.stalled.is_set()
        assert job.status().stage == "error"
        client.close()
    else:
        async def main() -> None:
            async with AsyncClient(proxy.url, stream_timeout=SHORT) as client:
                job = await client.submit("/echo", "hi", tag)
                with pytest.raises(APITimeoutError):
                    await job.result(timeout=60)
                assert job.status().stage == "error"

        asyncio.run(main())
    assert executions(jobs_server, "echo", tag) <= 1
    resources.assert_released(proxy)


@pytest.mark.parametrize("action", ["cut", "reset_stream"])
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_broken_stream_fails_every_pending_job(
    proxy: Proxy, jobs_server: Server, resources: Resources, action: str, kind: str
) -> None:
    tags = [new_tag() for _ in range(3)]
    # The break is triggered by the output of a job submitted after the three blocking
    # ones, so every join has been answered before the stream breaks.
    proxy.add(Rule("queue/data", action, marker=b"CUTMARK"))  # type: ignore[arg-type]
    if kind == "sync":
        client = _client(proxy)
        jobs = [client.submit("/block", tag) for tag in tags]
        jobs.append(client.submit("/echo", "CUTMARK", new_tag()))
        for job in jobs:
            with pytest.raises(APIConnectionError):
                job.result(timeout=60)
        client.close()
    else:
        async def main() -> None:
            async with AsyncClient(proxy.url) as client:
                jobs = [await client.submit("/block", tag) for tag in tags]
                jobs.append(await client.submit("/echo", "CUTMARK", new_tag()))
                for job in jobs:
                    with pytest.raises(APIConnectionError):
                        await job.result(timeout=60)

        asyncio.run(main())
    for tag in tags:
        release(jobs_server, tag)
        assert executions(jobs_server, "block", tag) <= 1
    resources.assert_released(proxy)


def _joined_session(request: Request) -> str:
    return str(json.loads(request.body)["session_hash"])


def _streamed_session(request: Request) -> str:
    return parse_qs(urlsplit(request.target).query)["session_hash"][0]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_job_after_a_break_joins_a_fresh_session(
    proxy: Proxy, jobs_server: Server, resources: Resources, kind: str
) -> None:
    """The app drops a session's jobs when it notices the broken stream, which can be
    after the client noticed: a job submitted in between must not join that session.

    The proxy cuts the client off the stream but keeps the app's side open (``hold``),
    so the app still streams the old session to nobody: a job joining it would have its
    messages read by that dead stream, and then be dropped when the app notices.
    """
    blocked, tag = new_tag(), new_tag()
    proxy.add(Rule("queue/data", "cut", marker=b"process_starts", hold=True))

    def check_sessions() -> None:
        assert proxy.held.is_set()  # the app has not seen the old stream go
        broken = _streamed_session(proxy.seen("queue/data")[0])
        joined = _joined_session(proxy.seen("queue/join")[-1])
        assert joined != broken, "the job joined the session whose stream broke"

    if kind == "sync":
        client = _client(proxy)
        first = client.submit("/block", blocked)
        with pytest.raises(APIConnectionError):
            first.result(timeout=60)
        later = client.submit("/echo", "after", tag)
        check_sessions()
        assert later.result(timeout=60) == f"after|{tag}"
        client.close()
    else:
        async def main() -> None:
            async with AsyncClient(proxy.url) as client:
                first = await client.submit("/block", blocked)
                with pytest.raises(APIConnectionError):
                    await first.result(timeout=60)
                later = await client.submit("/echo", "after", tag)
                check_sessions()
                assert await later.result(timeout=60) == f"after|{tag}"

        asyncio.run(main())
    streams = proxy.seen("queue/data")
    assert _streamed_session(streams[-1]) == _joined_session(proxy.seen("queue/join")[-1])
    proxy.release_held()
    release(jobs_server, blocked)
    assert executions(jobs_server, "block", blocked) == 1
    assert executions(jobs_server, "echo", tag) == 1
    resources.assert_released(proxy)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_join_answered_after_a_break_fails_at_once(
    proxy: Proxy, jobs_server: Server, resources: Resources, kind: str
) -> None:
    """A join still in flight when the stream breaks was made for the dead session: the
    job comes back already failed, instead of waiting for messages no stream brings."""
    tag = new_tag()
    proxy.add(Rule("queue/join", "pause"))  # the first join waits at the proxy
    proxy.add(Rule("queue/data", "cut", marker=b"CUTMARK"))  # the next job breaks the stream
    joining = "while the job was joining"
    if kind == "sync":
        client = _client(proxy)
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(client.submit, "/echo", "late", tag)
            assert proxy.wait_for(proxy.paused.is_set)
            trigger = client.submit("/echo", "CUTMARK", new_tag())
            with pytest.raises(APIConnectionError, match="event stream"):
                trigger.result(timeout=60)
            proxy.release_held()
            late = pending.result(timeout=60)
        assert late.done() and late.status().stage == "error"
        with pytest.raises(APIConnectionError, match=joining):
            late.result(timeout=0)
        client.close()
    else:
        async def main() -> None:
            async with AsyncClient(proxy.url) as client:
                pending = asyncio.ensure_future(client.submit("/echo", "late", tag))
                assert await asyncio.to_thread(proxy.wait_for, proxy.paused.is_set)
                trigger = await client.submit("/echo", "CUTMARK", new_tag())
                with pytest.raises(APIConnectionError, match="event stream"):
                    await trigger.result(timeout=60)
                await asyncio.to_thread(proxy.release_held)
                late = await pending
                assert late.done() and late.status().stage == "error"
                with pytest.raises(APIConnectionError, match=joining):
                    await late.result(timeout=0)

        asyncio.run(main())
    assert executions(jobs_server, "echo", tag) <= 1  # joined a session the app drops
    resources.assert_released(proxy)


INJECTED = (
    b"data: {not json\n\n",
    b'data: {"msg":"brand_new_message","event_id":null}\n\n',
    b'data: {"msg":"estimation","event_id":"someone-else","rank":1}\n\n',
    b"data: [1, 2, 3]\n\n",
    b"data: \xff\xfe\x00binary\n\n",
    b": a comment\nevent: odd\nid: 7\nretry: 10\n\n",
    b'data: {"msg":"heartbeat","event_id":null}\r\n\r\n',
)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_malformed_and_unknown_messages_are_ignored(
    proxy: Proxy, jobs_server: Server, resources: Resources, kind: str
) -> None:
    tag = new_tag()
    proxy.add(Rule("queue/data", "inject", times=-1, inject=INJECTED))
    if kind == "sync":
        client = _client(proxy)
        assert client.predict("/echo", "ok", tag) == f"ok|{tag}"
        assert list(client.submit("/count", 3, tag)) == [f"{tag}:{i}" for i in range(3)]
        client.close()
    else:
        async def main() -> None:
            async with AsyncClient(proxy.url) as client:
                assert await client.predict("/echo", "ok", tag) == f"ok|{tag}"
                job = await client.submit("/count", 3, tag)
                assert [v async for v in job] == [f"{tag}:{i}" for i in range(3)]

        asyncio.run(main())
    assert executions(jobs_server, "echo", tag) == 1
    assert executions(jobs_server, "count", tag) == 1
    resources.assert_released(proxy)


def test_slow_server_still_completes(proxy: Proxy, jobs_server: Server, resources: Resources) -> None:
    client = _client(proxy)
    tag = new_tag()
    proxy.add(Rule("queue/", "slow", times=-1, slow_bytes=5))
    assert list(client.submit("/count", 4, tag)) == [f"{tag}:{i}" for i in range(4)]
    assert client.predict("/echo", "slow", tag) == f"slow|{tag}"
    assert executions(jobs_server, "count", tag) == 1
    client.close()
    resources.assert_released(proxy)


def test_refused_connections(proxy: Proxy, jobs_server: Server, resources: Resources) -> None:
    client = _client(proxy, max_retries=1)
    tag = new_tag()
    proxy.drop_all()
    proxy.refuse()
    with pytest.raises(APIConnectionError):
        client.predict("/echo", "no", tag)
    assert executions(jobs_server, "echo", tag) == 0
    proxy.accept()
    assert client.predict("/echo", "yes", tag) == f"yes|{tag}"
    assert executions(jobs_server, "echo", tag) == 1
    client.close()
    resources.assert_released(proxy)


@pytest.mark.timeout(400)
@pytest.mark.parametrize("version", ["6.31.0", "4.44.1"])
def test_server_killed_mid_job_and_restarted(version: str) -> None:
    server = start_server("rel_jobs", version)
    resources = Resources()
    tag, later = new_tag(), new_tag()
    try:
        client = Client(server.url)
        started = threading.Event()
        job = client.submit("/block", tag)
        job.on("status", lambda s: started.set() if s.code == "process_starts" else None)
        assert started.wait(60)
        # process_starts may come before the function runs (gradio 4.x): kill the app
        # only once the function logged its start.
        assert wait_until(lambda: executions(server, "block", tag) == 1, 30)
        server.process.kill()
        server.process.wait(30)
        with pytest.raises(APIConnectionError):
            job.result(timeout=60)
        server = start_server("rel_jobs", version, port=server.port, workdir=server.workdir)
        assert client.predict("/echo", "back", later) == f"back|{later}"
        assert executions(server, "block", tag) == 1
        assert executions(server, "echo", later) == 1
        client.close()
        resources.assert_released()
    finally:
        server.stop()
