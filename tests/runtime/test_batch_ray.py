"""The Ray Data recipe on a real local Ray cluster, against two replicas of an app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ray  # the test extra installs it

from gradio_codegen.cli import main as cli
from tests.conftest import import_fresh
from tests.servers.pool import Server, ServerPool, start_server


@pytest.fixture(scope="module")
def replicas(servers: ServerPool) -> Iterator[tuple[Server, Server]]:
    second = start_server("batch_app", "6.31.0")
    yield servers.get("batch_app", "6.31.0"), second
    second.stop()


def _ran(server: Server, since: int) -> list[float]:
    path = server.workdir / "calls.log"
    lines = path.read_text().splitlines()[since:] if path.exists() else []
    return [float(line.split()[1]) for line in lines if line.startswith("square ")]


def _lines(server: Server) -> int:
    path = server.workdir / "calls.log"
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_ray_data_map_batches_over_two_replicas(
    replicas: tuple[Server, Server], tmp_path: Path
) -> None:
    from gradio_codegen_runtime.raydata import GradioMapper

    one, two = replicas
    out = tmp_path / "ray_sdk"
    assert cli([one.url, "-o", str(out)]) == 0
    sdk = import_fresh(out, "ray_sdk")
    since = (_lines(one), _lines(two))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(tmp_path)}})
    try:
        ds = ray.data.from_items([{"x": float(i)} for i in range(120)] + [{"x": -1.0}])
        ds = ds.map_batches(
            GradioMapper,
            fn_constructor_kwargs={
                "client": sdk.Client(one.url), "endpoint": "square",
                "map_options": {"replicas": [two.url]},
            },
            batch_size=30, concurrency=2,
        )
        rows: list[dict[str, Any]] = sorted(ds.take_all(), key=lambda r: r["x"])
    finally:
        ray.shutdown()
    assert rows[0]["x"] == -1.0 and rows[0]["output"] is None
    assert "negative input" in rows[0]["error"]
    assert [(r["x"], r["output"], r["error"]) for r in rows[1:]] == [
        (float(i), float(i * i), None) for i in range(120)
    ]
    here, there = _ran(one, since[0]), _ran(two, since[1])
    assert here and there  # both replicas served calls
    assert sorted(here + there) == [-1.0, *[float(i) for i in range(120)]]
