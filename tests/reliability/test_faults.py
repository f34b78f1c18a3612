"""Fault injection: every failure ends in a typed error or a safe retry, never a hang,
never a job run twice, and nothing leaks after ``close()``."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from gradio_codegen.runtime import AsyncClient, Client, _connection
from gradio_codegen.runtime.errors import (
    APIConnectionError,
    APITimeoutError,
    QueueFullError,
    RateLimitError,
)
from tests.reliability.conftest import Resources, executions, new_tag, release
from tests.reliability.proxy import Proxy, Rule, http_response
from tests.servers.pool import Server, start_server

pytestmark = pytest.mark.timeout(90)

QUEUE_FULL = http_response(
    503, b'{"detail":"Queue is full. Max size is 1 and size is 1."}',
    {"content-type": "application/json", "retry-after": "0"},
)
RATE_LIMITED = http_response(
    429, b'{"detail":"slow down"}', {"content-type": "application/json", "retry-after": "0"}
)
SHORT = 10.0  # read timeout of clients facing stalled streams


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
    proxy: Proxy, jobs_server: Server, resources: Resources, kind: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The stream's read timeout outlasts the 15 s heartbeat by default; shorten it.
    monkeypatch.setattr(_connection, "STREAM_READ_TIMEOUT", SHORT)
    tag = new_tag()
    proxy.add(Rule("queue/data", "stall"))
    if kind == "sync":
        client = _client(proxy, timeout=SHORT)
        job = client.submit("/echo", "hi", tag)
        with pytest.raises(APITimeoutError):
            job.result(timeout=60)
        assert proxy.stalled.is_set()
        assert job.status().stage == "error"
        client.close()
    else:
        async def main() -> None:
            async with AsyncClient(proxy.url, timeout=SHORT) as client:
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
