"""Calls: positional and keyword arguments, server defaults, gr.State per client
session, and the app's errors (sync and async)."""

from __future__ import annotations

import asyncio

import pytest

from gradio_codegen_runtime import AppError, AsyncClient, Client, ValidationError

GENERIC = "has not enabled verbose error reporting"


def test_positional_keyword_and_defaults(calls_url: str) -> None:
    with Client(calls_url) as app:
        assert app.predict("/echo", "a") == "a-a"
        assert app.predict("/echo", "a", 3) == "a-a-a"
        assert app.predict("/echo", "a", sep="+") == "a+a"
        assert app.predict("/echo", text="b", times=3, sep="/") == "b/b/b"
        assert app.predict("/add", 2, b=40) == "2+40=42"
        with pytest.raises(ValidationError) as missing:
            app.predict("/echo", sep="+")
        assert missing.value.parameter == "text"
        with pytest.raises(ValidationError):
            app.predict("/echo", "a", text="b")
        with pytest.raises(ValidationError) as unknown:
            app.predict("/echo", "a", colour="red")
        assert unknown.value.parameter == "colour"
        with pytest.raises(ValidationError):
            app.predict("/echo", "a", 1, "-", "extra")


def test_state_is_kept_per_client_session(calls_url: str) -> None:
    with Client(calls_url) as one, Client(calls_url) as two:
        assert one.predict("/count", 2) == 2
        assert one.predict("/count", 3) == 5
        assert two.predict("/count", 10) == 10
        assert one.predict("/count", 1) == 6
        one.reset_session()
        assert one.predict("/count", 4) == 4
        assert two.predict("/count", 1) == 11


def test_state_async(calls_url: str) -> None:
    async def run() -> list[int]:
        async with AsyncClient(calls_url) as one, AsyncClient(calls_url) as two:
            got = [await one.predict("/count", 2), await one.predict("/count", 3),
                   await two.predict("/count", 7)]
            one.reset_session()
            got.append(await one.predict("/count", 1))
            got.append(await one.predict("/echo", "z", sep=":"))
            return got

    assert asyncio.run(run()) == [2, 5, 7, 1, "z:z"]


def test_app_errors(calls_url: str, gradio_version: str) -> None:
    with Client(calls_url) as app:
        with pytest.raises(AppError) as err:
            app.predict("/fail", "gr")
        assert err.value.message == str(err.value) == "It's 'broken'"
        assert err.value.title == (None if gradio_version.startswith("4.") else "Oops")
        with pytest.raises(AppError) as quoted:
            app.predict("/fail", "quotes")
        assert quoted.value.message == 'say "hi" it\'s \\ here'
        with pytest.raises(AppError) as other:
            app.predict("/fail", "value")
        assert GENERIC in other.value.message and "secret" not in other.value.message
        job = app.submit("/fail", "gr")
        with pytest.raises(AppError):
            job.result(timeout=30)
        status = job.status()
        assert (status.stage, status.success, status.message) == ("error", False, "It's 'broken'")
        assert job.done()
        # The session is still usable after errors.
        assert app.predict("/fail", "none") == "fine"

    async def run() -> None:
        async with AsyncClient(calls_url) as app:
            with pytest.raises(AppError, match="It's 'broken'"):
                await app.predict("/fail", "gr")
            with pytest.raises(AppError, match=GENERIC):
                await app.predict("/fail", "value")
            assert await app.predict("/fail", "ok") == "fine"

    asyncio.run(run())
