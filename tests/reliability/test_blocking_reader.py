"""A blocking call reads the event stream on its own thread (``SyncSession.call``):
no reader thread for back-to-back calls, the open stream handed to a thread when
other jobs still wait on it, and every job ended when the reading call is interrupted."""

from __future__ import annotations

import signal
import threading
from typing import Any

import pytest

from gradio_codegen_runtime import Client
from gradio_codegen_runtime._session import _Caller
from gradio_codegen_runtime.errors import APIConnectionError
from gradio_codegen_runtime.jobs import Job
from tests.reliability.conftest import Resources, executions, new_tag, release
from tests.reliability.proxy import Proxy, wait_until
from tests.servers.pool import Server

pytestmark = pytest.mark.timeout(120)


def _stream_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("gradio-codegen-stream")]


def _read_by_caller(client: Client) -> bool:
    return isinstance(client._session._reader, _Caller)


def _submit_while_the_caller_reads(
    client: Client, server: Server, reading: str, other: str
) -> Job[Any]:
    """Once a blocking ``/block`` call tagged ``reading`` reads the stream and runs,
    submit ``other`` (served by that stream) and wait until it runs too."""
    assert wait_until(lambda: _read_by_caller(client), 30)
    assert wait_until(lambda: executions(server, "block", reading) == 1, 30)
    job = client.submit("/block", other)
    assert wait_until(lambda: executions(server, "block", other) == 1, 30)
    return job


def test_back_to_back_calls_start_no_thread(
    proxy: Proxy, jobs_server: Server, resources: Resources
) -> None:
    client = Client(proxy.url)
    for _ in range(5):
        tag = new_tag()
        assert client.predict("/echo", "hi", tag) == f"hi|{tag}"
        # A reader thread would still be alive here (it lingers for the next job).
        assert _stream_threads() == []
        assert client._session._reader is None and client._session._response is None
    client.close()
    resources.assert_released(proxy)


def test_stream_is_handed_on_to_a_thread_for_the_jobs_still_pending(
    proxy: Proxy, jobs_server: Server, resources: Resources
) -> None:
    client = Client(proxy.url)
    first, second = new_tag(), new_tag()
    results: list[Any] = []
    caller = threading.Thread(target=lambda: results.append(client.predict("/block", first)))
    caller.start()
    job = _submit_while_the_caller_reads(client, jobs_server, first, second)
    release(jobs_server, first)
    caller.join(60)
    assert results == [f"released {first}"]
    assert not job.done()
    assert len(_stream_threads()) == 1  # the stream went on in a reader thread
    release(jobs_server, second)
    assert job.result(timeout=60) == f"released {second}"
    client.close()
    resources.assert_released(proxy)


def test_interrupted_call_ends_every_job_and_the_client_goes_on(
    proxy: Proxy, jobs_server: Server, resources: Resources
) -> None:
    client = Client(proxy.url)
    mine, other = new_tag(), new_tag()
    pending: list[Any] = []

    def interrupt() -> None:
        pending.append(_submit_while_the_caller_reads(client, jobs_server, mine, other))
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    helper = threading.Thread(target=interrupt)
    helper.start()
    with pytest.raises(KeyboardInterrupt):
        client.predict("/block", mine)
    helper.join(60)
    (job,) = pending
    with pytest.raises(APIConnectionError, match="interrupted"):
        job.result(timeout=30)
    for tag in (mine, other):
        release(jobs_server, tag)
    tag = new_tag()
    assert client.predict("/echo", "after", tag) == f"after|{tag}"
    client.close()
    resources.assert_released(proxy)
