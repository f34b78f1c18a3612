"""Old Gradio servers through generated SDKs: 4.7 (``sse``: a stream per job) and 3.x
(``ws``: a WebSocket per job), sync and async.

These versions are not in the default matrix (``tests/servers/envs.py``); this module
opts in. One server per (app, version) serves the whole test session.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from gradio_codegen.cli import main as cli
from gradio_codegen_runtime import (
    APITimeoutError,
    AppError,
    AsyncClient,
    AuthenticationError,
    CancelledError,
    Client,
    FileRef,
    ProtocolError,
    ValidationError,
)
from gradio_codegen_runtime.spec import build_spec

from tests.servers.envs import OLD_VERSIONS

GENERIC = "has not enabled verbose error reporting"
WS_VERSIONS = [v for v in OLD_VERSIONS if v.startswith("3.")]


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _started(job: Any) -> threading.Event:
    """Set once the job is running on the app (its ``process_starts`` came)."""
    started = threading.Event()

    def on_status(status: Any) -> None:
        if status.code in ("process_starts", "progress") or status.stage == "generating":
            started.set()

    job.on("status", on_status)
    return started


def test_calls_state_and_errors(make_sdk: Any) -> None:
    sdk = make_sdk("old_calls")
    with sdk.Client() as one, sdk.Client() as two:
        assert one.add(2, 40) == "2+40=42"
        assert one.echo("a", 3, "+") == "a+a+a"
        assert one.echo(text="b", times=2, sep="/") == "b/b"
        assert one.count(2) == 2 and one.count(3) == 5
        assert two.count(10) == 10
        one.reset_session()
        assert one.count(4) == 4
        with pytest.raises(AppError) as err:
            one.fail("gr")
        assert err.value.message == "It's 'broken'"
        with pytest.raises(AppError) as other:
            one.fail("value")
        assert GENERIC in other.value.message and "secret" not in other.value.message
        with pytest.raises(ValidationError):
            one.add("x", 1)
        assert one.fail("none") == "fine"  # the session still works


def test_chat_history(make_sdk: Any, old_version: str) -> None:
    """A Chatbot turn: the history goes in and comes back longer."""
    sdk = make_sdk("old_calls")

    def shown(text: str) -> str:
        """Gradio 3.x before 3.17's Chatbot sends each message as a Markdown-rendered
        HTML paragraph; later versions send the text (inline Markdown)."""
        return f"<p>{text}</p>\n" if _release(old_version) < (3, 17) else text

    with sdk.Client() as app:
        first = app.respond("hi", [])
        assert first.message == ""
        assert list(map(list, first.chat)) == [[shown("hi"), shown("echo: hi")]]
        second = app.respond("again", first.chat)
        assert [list(turn) for turn in second.chat] == [
            [shown("hi"), shown("echo: hi")], [shown("again"), shown("echo: again")],
        ]


def test_calls_state_and_errors_async(make_sdk: Any) -> None:
    sdk = make_sdk("old_calls")

    async def run() -> list[Any]:
        async with sdk.AsyncClient() as one, sdk.AsyncClient() as two:
            got = [await one.add(1, 2), await one.count(5), await one.count(5),
                   await two.count(1)]
            one.reset_session()
            got.append(await one.count(7))
            with pytest.raises(AppError) as err:
                await one.fail("gr")
            got.append(err.value.message)
            return got

    assert asyncio.run(run()) == ["1+2=3", 5, 10, 1, 7, "It's 'broken'"]


def test_submit_status_and_generator(make_sdk: Any) -> None:
    sdk = make_sdk("old_calls")
    with sdk.Client() as app:
        job = app.submit.ticker(4)
        seen: list[str] = []
        stages: list[str] = []
        job.on("data", seen.append)
        job.on("status", lambda s: stages.append(s.stage))
        assert list(job) == ["0", "1", "2", "3"]
        assert job.result(timeout=60) == "3"
        assert seen == ["0", "1", "2", "3"]
        assert job.status().stage == "complete" and job.status().success
        assert "generating" in stages and stages[-1] == "complete"
        assert job.outputs() == ["0", "1", "2", "3"]
        # Jobs in parallel, each on its own stream.
        jobs = [app.submit.add(i, i) for i in range(4)]
        assert [j.result(timeout=60) for j in jobs] == [f"{i}+{i}={2 * i}" for i in range(4)]


def test_generator_async(make_sdk: Any) -> None:
    sdk = make_sdk("old_calls")

    async def run() -> tuple[list[str], str, list[str]]:
        async with sdk.AsyncClient() as app:
            job = await app.submit.ticker(3)
            items = [x async for x in job]
            jobs = [await app.submit.add(i, 1) for i in range(3)]
            return items, await job, [await j for j in jobs]

    items, last, sums = asyncio.run(run())
    assert items == ["0", "1", "2"] and last == "2"
    assert sums == ["0+1=1", "1+1=2", "2+1=3"]


def test_cancel(make_sdk: Any, tmp_path: Path) -> None:
    sdk = make_sdk("old_calls")
    flag = tmp_path / "release"
    try:
        with sdk.Client() as app:
            job = app.submit.block(str(flag))
            assert _started(job).wait(60)
            assert job.cancel() is True
            with pytest.raises(CancelledError):
                job.result(timeout=30)
            assert job.status().stage == "cancelled" and job.done()
            assert job.cancel() is False
            # A generator cancelled after its first yield stops yielding.
            gen = app.submit.slow_ticks(str(flag))
            first = next(iter(gen))
            assert first == "first"
            gen.cancel()
            assert list(gen) == ["first"]
            with pytest.raises(CancelledError):
                gen.result(timeout=30)
            assert app.add(1, 1) == "1+1=2"  # the client still works
    finally:
        flag.touch()


def test_cancel_async(make_sdk: Any, tmp_path: Path) -> None:
    sdk = make_sdk("old_calls")
    flag = tmp_path / "release"

    async def run() -> str:
        async with sdk.AsyncClient() as app:
            job = await app.submit.block(str(flag))
            assert await asyncio.to_thread(_started(job).wait, 60)
            assert await job.cancel() is True
            with pytest.raises(CancelledError):
                await job.result(timeout=30)
            assert job.status().stage == "cancelled"
            return str(await app.add(2, 2))

    try:
        assert asyncio.run(run()) == "2+2=4"
    finally:
        flag.touch()


def test_silence_and_stream_timeout(make_sdk: Any, old_version: str) -> None:
    """``stream_timeout`` bounds a silent 4.0-4.8 event stream; a 3.x WebSocket is
    silent while its job runs, so there only its pings tell a dead connection."""
    sdk = make_sdk("old_calls")
    with sdk.Client(stream_timeout=1.0) as app:
        if old_version.startswith("3."):
            assert app.nap(2.5) == "awake"
        else:
            with pytest.raises(APITimeoutError):
                app.nap(2.5)
        assert app.add(1, 2) == "1+2=3"

    async def run() -> str:
        async with sdk.AsyncClient(stream_timeout=1.0) as aapp:
            if old_version.startswith("3."):
                return str(await aapp.nap(2.5))
            with pytest.raises(APITimeoutError):
                await aapp.nap(2.5)
            return "timed out"

    assert asyncio.run(run()) == ("awake" if old_version.startswith("3.") else "timed out")


def test_files(make_sdk: Any, old_version: str, tmp_path: Path) -> None:
    sdk = make_sdk("old_calls")
    # Gradio 3.x before 3.21 stores an uploaded (or, before 3.19, inline) file as
    # <stem><random><suffix>, and the app returns its copy under that name; later
    # versions keep the uploaded name.
    renamed = _release(old_version) < (3, 21)
    src = tmp_path / "note.txt"
    src.write_text("hello file")
    with sdk.Client() as app:
        assert app.file_meta(str(src)) == "10|hello file"
        assert app.file_meta(b"raw bytes!") == "10|raw bytes!"
        ref = app.file_echo(src)
        assert isinstance(ref, FileRef) and ref.orig_name is not None
        if renamed:
            assert ref.orig_name.startswith("note") and ref.orig_name.endswith(".txt")
        else:
            assert ref.orig_name == "note.txt"
        assert ref.read_bytes() == b"hello file"
        saved = ref.download(tmp_path / "out")
        assert saved.read_text() == "hello file" and saved.parent == tmp_path / "out"
        # A returned file goes back in without another upload.
        assert app.file_meta(ref) == "10|hello file"
        result = app.files_multi([src, b"12345"])
        assert [f.read_bytes() for f in result.files_out] == [b"hello file", b"12345"]
        assert result.output == "10,5"
        with pytest.raises(ValidationError):
            app.file_meta(tmp_path / "missing.txt")

    async def run() -> tuple[str, bytes]:
        async with sdk.AsyncClient() as aapp:
            meta = await aapp.file_meta(src)
            aref = await aapp.file_echo(b"async bytes")
            path = await aref.adownload(tmp_path / "aout")
            return meta, path.read_bytes()

    assert asyncio.run(run()) == ("10|hello file", b"async bytes")


def test_calculator_interface(make_sdk: Any) -> None:
    sdk = make_sdk("calc")
    with sdk.Client() as app:
        assert app.predict(4, "add", 5) == 9.0
        assert app.predict(3.5, "divide", 2) == 1.75
        with pytest.raises(ValidationError) as bad:
            app.predict(4, "pow", 5)
        assert bad.value.parameter == "operation"
        with pytest.raises(AppError) as err:
            app.predict(1, "divide", 0)
        assert err.value.message == "Cannot divide by zero!"


def test_auth(make_sdk: Any, serve: Any, old_version: str) -> None:
    sdk = make_sdk("old_auth", "--auth", "user:secret-pw")
    with sdk.Client(auth=("user", "secret-pw")) as app:
        assert app.reverse("abc") == "cba"
    with sdk.Client() as anonymous, pytest.raises(AuthenticationError):
        anonymous.reverse("abc")
    with sdk.Client(auth=("user", "wrong")) as wrong, pytest.raises(AuthenticationError):
        wrong.reverse("abc")

    async def run() -> str:
        async with sdk.AsyncClient(auth=("user", "secret-pw")) as aapp:
            return str(await aapp.reverse("xyz"))

    assert asyncio.run(run()) == "zyx"


def test_generic_client(serve: Any, old_version: str) -> None:
    url = serve("old_calls", old_version).url
    with Client(url) as app:
        assert "/ticker" in app.endpoints()
        assert app.predict("/add", 3, b=4) == "3+4=7"
        assert list(app.submit("/ticker", 2)) == ["0", "1"]

    async def run() -> str:
        async with AsyncClient(url) as aapp:
            return str(await aapp.predict("/echo", "q", 2, "."))

    assert asyncio.run(run()) == "q.q"


@pytest.mark.parametrize("old_version", WS_VERSIONS)
def test_spec_from_config_alone_matches_info(serve: Any, old_version: str) -> None:
    """3.x apps without /info get the same endpoints from /config alone: names,
    labels, slots, components and which values are files."""
    url = serve("old_calls", old_version).url
    config = httpx.get(url + "/config").json()
    info = httpx.get(url + "/info").json()
    from_info = build_spec(config, info, host=url)
    alone = build_spec(config, {}, host=url)

    def shape(spec: Any) -> list[Any]:
        return [
            (e.api_name, e.fn_index, e.input_slots, e.output_slots,
             [(p.label, p.component, p.schema.get("title")) for p in e.parameters],
             [(r.label, r.component, r.schema.get("title")) for r in e.returns])
            for e in spec.endpoints
        ]

    assert shape(alone) == shape(from_info)
    files = from_info.endpoint("file_echo")
    assert files.parameters[0].schema["title"] == "FileData"


@pytest.mark.parametrize("old_version", WS_VERSIONS)
def test_ws_needs_the_extra(make_sdk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sdk = make_sdk("old_calls")
    for name in [m for m in sys.modules if m == "websockets" or m.startswith("websockets.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "websockets", None)
    with sdk.Client() as app, pytest.raises(ProtocolError) as info:
        app.add(1, 2)
    assert "gradio-codegen-runtime[ws]" in str(info.value)


def test_runtime_imports_no_websockets() -> None:
    code = (
        "import sys, gradio_codegen_runtime, gradio_codegen_runtime.client; "
        "assert 'websockets' not in sys.modules, 'imported eagerly'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_dist_declares_the_ws_extra(serve: Any, old_version: str, tmp_path: Path) -> None:
    url = serve("old_calls", old_version).url
    assert cli([url, "-o", str(tmp_path / "proj"), "--name", "oc", "--dist"]) == 0
    pyproject = (tmp_path / "proj" / "pyproject.toml").read_text()
    declared = "gradio-codegen-runtime[ws]>=" in pyproject
    assert declared == old_version.startswith("3.")


@pytest.mark.parametrize("old_version", WS_VERSIONS)
def test_app_without_info(serve: Any, old_version: str) -> None:
    """Early 3.x apps have no /info: the generic client reads /config alone."""
    from tests.runtime.conftest import Recorder

    url = serve("old_calls", old_version).url
    recorder = Recorder()
    recorder.fail("/info", httpx.Response(404, json={"detail": "Not Found"}))
    with Client(url, transport=recorder) as app:
        assert app.predict("/add", 1, 2) == "1+2=3"
        assert app.predict("/file_echo", b"abc").read_bytes() == b"abc"
    assert recorder.tried("/info") == 1 and recorder.paths("/info") == []


@pytest.mark.parametrize("old_version", WS_VERSIONS)
def test_3x_app_without_queue(
    make_sdk: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 3.x app that never called ``demo.queue()`` runs each event by POST
    /run/predict: no WebSocket (the package is hidden here), State still per session."""
    sdk = make_sdk("old_noqueue")
    assert "unqueued=" in Path(sdk.__file__).with_name("_client.py").read_text()
    for name in [m for m in sys.modules if m == "websockets" or m.startswith("websockets.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "websockets", None)
    src = tmp_path / "five.bin"
    src.write_bytes(b"12345")
    with sdk.Client() as app:
        assert app.shout("hi") == "HI"
        with pytest.raises(AppError) as err:
            app.shout("fail")
        assert err.value.message == "no shouting"
        assert app.count(2) == 2 and app.count(3) == 5
        assert app.size(src) == 5
        job = app.submit.shout("job")
        assert job.result(timeout=60) == "JOB" and job.status().stage == "complete"

    async def run() -> tuple[str, float]:
        async with sdk.AsyncClient() as aapp:
            return str(await aapp.shout("async")), float(await aapp.count(4))

    assert asyncio.run(run()) == ("ASYNC", 4.0)


@pytest.mark.parametrize("old_version", ["3.50.2"])
def test_3x_websocket_through_proxy(serve: Any, old_version: str, tmp_path: Path) -> None:
    """A job's WebSocket takes the client's proxy (a CONNECT tunnel), like its HTTP."""
    from tests.network.conftest import ForwardProxy
    from tests.reliability.proxy import wait_until

    server = serve("old_calls", old_version)
    proxy = ForwardProxy(tmp_path / "proxy")
    try:
        with Client(server.url, proxy=proxy.url) as app:
            assert app.predict("/add", 1, 2) == "1+2=3"
            assert list(app.submit("/ticker", 2)) == ["0", "1"]
        target = f"127.0.0.1:{server.port}"

        def tunnels() -> list[str]:
            return [e.target for e in proxy.logged() if e.method == "CONNECT"]

        assert wait_until(lambda: len(tunnels()) >= 2, 30), proxy.log()[-2000:]
        assert all(t.startswith(target) for t in tunnels())
    finally:
        proxy.close()
