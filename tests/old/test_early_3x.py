"""The first WebSocket queue (Gradio 3.1.5-3.2, ``EARLY_VERSIONS``) through a generated
SDK: the client names its job unasked (no ``send_hash`` yet), files travel inline
(no ``/upload`` before 3.19), unqueued events go to ``/api/predict`` (no ``/run/``
before 3.9), and the app has no ``/info`` (before 3.26) and no ``gr.State`` (its
``gr.Variable`` holds the session's state)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen.cli import main as cli
from gradio_codegen_runtime import AppError

from tests.conftest import import_fresh
from tests.servers.envs import EARLY_VERSIONS


@pytest.fixture(params=EARLY_VERSIONS, ids=lambda v: f"gradio{v}")
def early_sdk(request: pytest.FixtureRequest, serve: Any, tmp_path: Path) -> Any:
    version = str(request.param)
    url = serve("old_early", version).url
    name = f"old_early_{version.replace('.', '_')}"
    assert cli([url, "-o", str(tmp_path / name)]) == 0
    return import_fresh(tmp_path / name, name)


def test_early_websocket_queue(early_sdk: Any, tmp_path: Path) -> None:
    src = tmp_path / "note.txt"
    src.write_text("hello file")
    client_text = Path(early_sdk.__file__).with_name("_client.py").read_text()
    assert "def count(self, n: float" in client_text  # the Variable is no parameter
    with early_sdk.Client() as one, early_sdk.Client() as two:
        # A job the app never starts (it waits for the job's hash) fails here, not
        # at the suite's timeout: 3.x sends nothing while a job waits.
        assert one.submit.add(2, 40).result(timeout=60) == "2+40=42"
        assert one.add_now(1, 2) == "1+2=3"  # queue=False: one POST /api/predict
        assert one.count(2) == 2 and one.count(3) == 5 and two.count(10) == 10
        with pytest.raises(AppError) as err:
            one.fail("x")
        assert err.value.message == "cannot take 'x'"
        assert one.file_meta(src) == "10|hello file"
        assert one.file_meta(b"raw bytes!") == "10|raw bytes!"
        jobs = [one.submit.add(i, i) for i in range(3)]
        assert [j.result(timeout=60) for j in jobs] == [f"{i}+{i}={2 * i}" for i in range(3)]

    async def run() -> list[Any]:
        async with early_sdk.AsyncClient() as app:
            return [await app.add(1, 1), await app.count(4), await app.count(1),
                    await app.file_meta(src)]

    assert asyncio.run(run()) == ["1+1=2", 4, 5, "10|hello file"]
