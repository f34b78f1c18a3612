"""The benchmark harness runs end to end in a tiny configuration (no timing asserts).

Keeps ``benchmarks/`` from rotting: it starts the benchmark app on gradio 6.31, runs
every client in its own processes, and must write a JSON report with every figure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.servers.envs import is_ready

ROOT = Path(__file__).resolve().parent.parent

CLIENTS = ("sdk_sync", "sdk_async", "gradio_client", "raw_sync")


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@pytest.mark.timeout(900)
def test_benchmark_quick_run_writes_every_figure(tmp_path: Path) -> None:
    assert is_ready("6.31.0"), "the gradio 6.31.0 environment is missing (run tests/servers/envs.py)"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--no-chart", "--out",
         str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=880,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    report = json.loads((tmp_path / "latest.json").read_text())
    assert report["errors"] == {}
    assert report["machine"]["cores"] and report["machine"]["python"]
    fig = report["figures"]
    for family in ("sdk", "gradio_client", "raw_httpx"):
        assert _number(fig["import_s"][family]["median"])
    for client in CLIENTS:
        assert _number(fig["first_result_s"][client]["median"])
        seq = fig["sequential"][client]
        assert _number(seq["latency_s"]["median"]) and _number(seq["cpu_per_call_s"])
        gen = fig["generator"][client]
        assert gen["updates_seen"] == gen["yields"], gen
        assert _number(gen["per_update_s"]["median"])
        for direction in ("file_up", "file_down"):
            entry = fig[direction][client]
            assert _number(entry["throughput_mb_s"]) and _number(entry["peak_growth_mb"])
    for client in ("sdk_async", "raw_async"):
        entry = fig["concurrent_async"][client]
        assert entry["failures"] == 0 and _number(entry["peak_rss_mb"])
    for client in ("sdk_sync", "gradio_client", "raw_sync"):
        entry = fig["concurrent_sync"][client]
        assert _number(entry["throughput_per_s"]) and _number(entry["peak_rss_mb"])
    gen = fig["generation"]
    for key in ("cold_s", "warm_s", "black_share", "datamodel_codegen_share"):
        assert _number(gen[key])
    assert report["targets"] and all(t["pass"] is not None for t in report["targets"])


def test_benchmark_chart_draws_from_a_report(tmp_path: Path) -> None:
    import matplotlib  # noqa: F401  (a test dependency: a missing one must fail, not skip)
    sys.path.insert(0, str(ROOT))
    from benchmarks.chart import draw
    from benchmarks.run import evaluate, table

    report: dict[str, Any] = {
        "quick": True, "started": "2026-01-01T00:00:00+00:00",
        "machine": {"cpu": "cpu", "cores": 2, "python": "3.11", "platform": "linux",
                    "load_average_start": [0.0]},
        "versions": {}, "figures": {"sequential": {"sdk_sync": {
            "latency_s": {"median": 0.01}, "cpu_per_call_s": 0.001, "peak_rss_mb": 30}}},
    }
    assert "seq latency" in table(report["figures"])
    assert evaluate(report["figures"])
    assert draw(report, tmp_path / "x.png").stat().st_size > 0
