"""Retries: joining and opening the stream retry what cannot have run anything
(refused connections, 429 with Retry-After, 503) with bounded backoff; a join that may
have reached the app is never repeated, so no job runs twice. Faults are injected in
front of a real server; HTTP status mapping the servers cannot be made to produce is
checked on hand-made responses."""

from __future__ import annotations

import asyncio
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from gradio_codegen_runtime import (
    APIConnectionError,
    APIStatusError,
    AsyncClient,
    AuthenticationError,
    Client,
    NotFoundError,
    QueueFullError,
    RateLimitError,
    RetryPolicy,
    ValidationError,
)
from gradio_codegen_runtime._connection import retry_after, status_error

from .conftest import Recorder

VERSION = "6.31.0"  # client-side logic: one server version is enough


def reply(status: int, headers: dict[str, str] | None = None, body: Any = None) -> httpx.Response:
    return httpx.Response(status, headers=headers or {}, json=body or {"detail": "injected"})


@pytest.fixture
def url(serve: Any) -> str:
    return str(serve("rt_calls", VERSION).url)


def test_join_retries_what_never_reached_the_app(url: str) -> None:
    rec = Recorder()
    with Client(url, transport=rec) as app:
        app.predict("/echo", "warm")
        before = len(rec.paths("/queue/join"))
        rec.fail("/queue/join", "connect")
        rec.fail("/queue/join", reply(429, {"retry-after": "0"}))
        assert app.predict("/echo", "x") == "x-x"  # third attempt (two retries)
        rec.fail("/queue/join", reply(429, {"retry-after": "0"}))
        rec.fail("/queue/join", reply(503, body={"detail": "Queue is full. Max size is 1"}))
        assert app.predict("/echo", "y") == "y-y"
        for _ in range(3):
            rec.fail("/queue/join", reply(429, {"retry-after": "0"}))
        with pytest.raises(RateLimitError) as limited:
            app.predict("/echo", "z")
        assert limited.value.retry_after == 0.0
        # Every successful call reached the app's join exactly once.
        assert len(rec.paths("/queue/join")) == before + 2


def test_join_that_may_have_run_is_not_repeated(url: str) -> None:
    rec = Recorder()
    with Client(url, transport=rec, max_retries=3) as app:
        app.predict("/echo", "warm")
        joins = rec.tried("/queue/join")
        rec.fail("/queue/join", "read")  # sent, answer lost: the job may be queued
        with pytest.raises(APIConnectionError):
            app.predict("/echo", "once")
        assert rec.tried("/queue/join") == joins + 1
        for status in (502, 504):  # a proxy's answer: the app may have the job
            rec.fail("/queue/join", reply(status))
            with pytest.raises(APIStatusError) as err:
                app.predict("/echo", "once")
            assert err.value.status_code == status
        assert rec.tried("/queue/join") == joins + 3
        assert app.predict("/echo", "ok") == "ok-ok"


def test_stream_connect_is_retried(url: str) -> None:
    rec = Recorder()
    with Client(url, transport=rec) as app:
        app.predict("/echo", "warm")
        rec.fail("/queue/data", "connect")
        rec.fail("/queue/data", reply(503, {"retry-after": "0"}))
        assert app.predict("/echo", "s") == "s-s"

    async def run() -> str:
        arec = Recorder()
        async with AsyncClient(url, transport=arec) as app:
            await app.predict("/echo", "warm")
            arec.fail("/queue/join", "connect")
            arec.fail("/queue/data", reply(429, {"retry-after": "0"}))
            arec.fail("/queue/data", "connect")
            return str(await app.predict("/echo", "a"))

    assert asyncio.run(run()) == "a-a"


def test_backoff_is_bounded() -> None:
    policy = RetryPolicy(max_retries=5, initial_delay=0.5, max_delay=8.0, max_retry_after=60)
    assert all(0.0 < policy.delay(n) <= 8.0 * 1.25 for n in range(50))
    assert policy.delay(0, retry_after=3) == 3.0
    assert policy.delay(0, retry_after=10_000) == 60.0
    assert policy.delay(0, retry_after=-5) == 0.0
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    hint = retry_after(reply(429, {"retry-after": later}))
    assert hint is not None and 20 <= hint <= 31
    assert retry_after(reply(429, {"retry-after": "soon"})) is None


def test_status_mapping() -> None:
    validation = status_error(reply(422, body={"detail": [
        {"__type__": "validate", "is_valid": False, "message": "too short",
         "parameter_name": "text"},
        {"__type__": "validate", "is_valid": True, "message": ""},
    ]}), "joining the queue")
    assert isinstance(validation, ValidationError) and validation.parameter == "text"
    assert "too short" in str(validation)
    full = status_error(reply(503, body={"detail": "Queue is full. Max size is 5 and size is 5."}), "j")
    assert isinstance(full, QueueFullError) and full.status_code == 503
    limited = status_error(reply(429, {"retry-after": "7"}), "j")
    assert isinstance(limited, RateLimitError) and limited.retry_after == 7.0
    assert isinstance(status_error(reply(404), "j"), NotFoundError)
    assert isinstance(status_error(reply(401), "j"), AuthenticationError)
    other = status_error(reply(503, body={"detail": "Service Unavailable"}), "j")
    assert type(other) is APIStatusError and other.status_code == 503
