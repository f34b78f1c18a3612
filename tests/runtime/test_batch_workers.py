"""Clients in other processes (pickled, forked) and progress bars, on a real app."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen.cli import main as cli
from gradio_codegen_runtime import Client, watch
from tests.conftest import import_fresh
from tests.servers.pool import Server, ServerPool

V6 = "6.31.0"


@pytest.fixture(scope="module")
def app(servers: ServerPool) -> Server:
    return servers.get("batch_app", V6)


@pytest.fixture(scope="module")
def sdk_dir(app: Server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdk") / "batch_sdk"
    assert cli([app.url, "-o", str(out)]) == 0
    return out


def test_pickled_client_works_in_a_fresh_process(app: Server, sdk_dir: Path, tmp_path: Path) -> None:
    sdk = import_fresh(sdk_dir, "batch_sdk")
    with sdk.Client(app.url, max_retries=5, stream_timeout=30) as client:
        assert client.square(3) == 9.0  # a used client: its sockets must not travel
        blob = tmp_path / "client.pickle"
        blob.write_bytes(pickle.dumps(client))
    script = (
        "import pickle, sys\n"
        "client = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "assert type(client).__module__ == 'batch_sdk._client', type(client)\n"
        "assert client._conn.retry.max_retries == 5 and client._conn.stream_timeout == 30\n"
        "print(client.square(4), [o.value for o in client.map.square([5, 6])])\n"
        "client.close()\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(sdk_dir.parent), os.getcwd()])}
    done = subprocess.run([sys.executable, "-c", script, str(blob)], capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "16.0 [25.0, 36.0]"


def _child(client: Client, queue: Any) -> None:
    fresh = client._conn._sync is None  # no HTTP client (nor sockets) from the parent
    queue.put((fresh, client.predict("/square", 7), os.getpid()))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork: POSIX only")
def test_forked_child_gets_its_own_connections(app: Server) -> None:
    with Client(app.url) as client:
        assert client.predict("/square", 2) == 4.0  # connections open before the fork
        parent_conn = client._conn
        assert parent_conn._sync is not None
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        child = ctx.Process(target=_child, args=(client, queue))
        child.start()
        fresh, value, pid = queue.get(timeout=60)
        child.join(timeout=60)
        assert child.exitcode == 0 and pid != os.getpid() and value == 49.0
        assert fresh
        assert client._conn is parent_conn  # the parent keeps its own
        assert client.predict("/square", 3) == 9.0


def test_progress_bar_counts_done_and_failed(app: Server, capsys: pytest.CaptureFixture[str]) -> None:
    with Client(app.url) as client:
        outcomes = list(client.map("/square", [1, 2, -3, 4, 5], progress=True))
        assert [o.ok for o in outcomes] == [True, True, False, True, True]
        job = watch(client.submit("/square", 6), desc="one job")
        assert job.result(timeout=60) == 36.0
    err = capsys.readouterr().err
    assert "/square" in err and "5/5" in err and "failed=1" in err
    assert "complete" in err


def test_progress_without_tqdm_says_what_to_install(app: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with Client(app.url) as client, pytest.raises(ImportError, match="pip install tqdm"):
        client.map("/square", [1], progress=True)
