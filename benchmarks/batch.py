"""Benchmark of ``map``: a batch of inputs through an app of known capacity.

``python -m benchmarks.batch`` (``--quick`` for a tiny run; ``--set n=500``) starts
``benchmarks/apps/batch_bench.py`` on gradio 6.31, generates its SDK, and measures,
each client in its own process, one after another on a fresh app:

- capacity: the raw floor (``clients/raw.py``) on a thread pool, at each of
  ``raw_threads`` sizes; the best size's median rate is the app's capacity;
- ``map``: ``app.map.echo(inputs)`` with default settings (every outcome checked);
  its median rate.

The raw floor and the map run in ``rounds`` interleaved rounds (each size, then the
map) and each is summarised by its median: one run of either varies by a few percent
on a 2-core machine, and comparing the best of several raw runs with a single map run
measured the noise, not the client.
- ``gradio_client``: a thread pool calling ``predict``, as large as the map's steady
  state (``pool_threads``; by default what the map keeps in flight against this app:
  the app's running jobs plus as many queued);
- replicas: the map over two deployments (``replicas=[url2]``) against one.

The app's shape is a parameter: ``/echo`` sleeps ``delay`` seconds and the queue runs
``app_concurrency`` at once (a capacity of at most ``app_concurrency / delay`` calls/s).
The default, 20 ms and 2 at once (at most 100/s), is chosen so that each target
measures the client:

- Client overhead must matter. gradio_client spends about 150 ms per call beyond the
  app's work (its sequential latency on the trivial ``/echo`` of ``benchmarks.run``),
  so a pool of P threads reaches at most P / (delay + 0.15 s): with the old 50 ms shape
  its 8 threads could reach 40/s, 65% of what the app served, and no client could be
  twice as fast. With 20 ms its 4 threads reach at most 4 / 0.17 s = 24/s, a quarter
  of the app's capacity. (The pool is twice the app's concurrency, as the map's steady
  state is, so that ratio depends on the delay, not on the concurrency.)
- The app, not the server process, must be the bottleneck. Gradio 6.31 served about
  170 trivial calls/s to one client on the 2-core benchmark machine (``benchmarks.run``'s
  concurrency figure), so one app of 100/s leaves it headroom, and two replicas (200/s
  in two server processes plus the client, on 2 cores) can still show twice one. A
  concurrency of 4 at 20 ms (200/s) would measure the server and the cores instead.

``--set delay=0.05 --set app_concurrency=4`` gives the earlier shape. Peak memory is the
client process's ``VmHWM``. Results go to ``benchmarks/results/batch.json``; targets
(issue 19) print as PASS/FAIL.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks._common import peak_rss_mb

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Config:
    n: int = 2000
    #: Seconds ``/echo`` takes, and how many the app's queue runs at once.
    delay: float = 0.02
    app_concurrency: int = 2
    #: Thread counts of the raw floor; empty: 1, 2 and 4 times ``app_concurrency``.
    raw_threads: tuple[int, ...] = ()
    #: gradio_client's threads; 0: the map's steady state against this app.
    pool_threads: int = 0
    #: Interleaved rounds of the raw floor and the map (medians are compared).
    rounds: int = 3
    worker_timeout: float = 900.0

    def raw_sizes(self) -> tuple[int, ...]:
        c = self.app_concurrency
        return self.raw_threads or (c, 2 * c, 4 * c)

    def pool_size(self) -> int:
        """The pool "of the same size": what the map's default concurrency keeps in
        flight once it has seen the app run ``app_concurrency`` jobs at once."""
        from gradio_codegen_runtime._batch import Lane

        return self.pool_threads or Lane(peak=self.app_concurrency).limit()

    def app_env(self) -> dict[str, str]:
        return {"BATCH_BENCH_DELAY": repr(self.delay),
                "BATCH_BENCH_CONCURRENCY": str(self.app_concurrency)}


QUICK = Config(n=40, raw_threads=(4,), rounds=1, worker_timeout=120.0)


# -- worker (runs in its own process; gradio_client's in the Gradio environment) -----


def _pool(adapter: Any, n: int, threads: int) -> dict[str, Any]:
    from concurrent.futures import ThreadPoolExecutor

    inputs = [f"t{i}" for i in range(n)]
    failures = 0

    def one(text: str) -> bool:
        try:
            return bool(adapter.call(text) == text)
        except Exception:
            return False

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for ok in pool.map(one, inputs):
            failures += not ok
    return {"wall_s": time.perf_counter() - start, "failures": failures}


def _map(urls: list[str], n: int) -> dict[str, Any]:
    import bench_batch_sdk

    inputs = (f"t{i}" for i in range(n))  # a generator: read as the map goes
    failures = 0
    with bench_batch_sdk.Client(urls[0]) as client:
        start = time.perf_counter()
        for i, outcome in enumerate(client.map.echo(inputs, replicas=urls[1:])):
            failures += not (outcome.index == i and outcome.value == f"t{i}")
        wall = time.perf_counter() - start
    return {"wall_s": wall, "failures": failures}


def worker(cfg: dict[str, Any]) -> dict[str, Any]:
    if cfg["task"] == "pool":
        import importlib

        adapter = importlib.import_module(cfg["client"]).Adapter(cfg["urls"][0])
        result = _pool(adapter, cfg["n"], cfg["threads"])
        adapter.close()
    else:
        result = _map(cfg["urls"], cfg["n"])
    result["throughput_per_s"] = cfg["n"] / result["wall_s"]
    result["peak_rss_mb"] = peak_rss_mb()
    return result


# -- orchestrator ------------------------------------------------------------------


def _env(extra_path: list[str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADIO_", "HF_"))}
    env.update({"HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
                "GRADIO_ANALYTICS_ENABLED": "False",
                "PYTHONPATH": os.pathsep.join([*extra_path, str(ROOT)])})
    return env


def _run(python: str, env: dict[str, str], cfg: dict[str, Any], timeout: float) -> dict[str, Any]:
    proc = subprocess.run(
        [python, "-m", "benchmarks.batch", "--worker", json.dumps(cfg)], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=timeout,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT "):])  # type: ignore[no-any-return]
    raise RuntimeError(f"{cfg} exited {proc.returncode}:\n{proc.stderr[-3000:]}")


def measure(cfg: Config) -> dict[str, Any]:
    from benchmarks._servers import gradio_python, start_app, stop_app
    from gradio_codegen.cli import main as generate

    gpython = str(gradio_python())
    app_env = cfg.app_env()
    first = start_app("batch_bench", env=app_env)
    second = None
    sdk_root = Path(tempfile.mkdtemp(prefix="bench-batch-sdk-"))
    try:
        if generate([first.url, "-o", str(sdk_root / "bench_batch_sdk")]) != 0:
            raise RuntimeError("generating the SDK failed")
        project = _env([str(sdk_root)])
        gradio_env = _env([])

        def fresh() -> list[str]:
            nonlocal first
            port = first.port
            stop_app(first)
            first = start_app("batch_bench", port=port, env=app_env)
            return [first.url]

        raw: dict[int, list[dict[str, Any]]] = {t: [] for t in cfg.raw_sizes()}
        maps: list[dict[str, Any]] = []
        for _ in range(cfg.rounds):
            for threads in cfg.raw_sizes():
                raw[threads].append(_run(sys.executable, project, {
                    "task": "pool", "client": "benchmarks.clients.raw", "urls": fresh(),
                    "n": cfg.n, "threads": threads}, cfg.worker_timeout))
            maps.append(_run(sys.executable, project, {
                "task": "map", "urls": fresh(), "n": cfg.n}, cfg.worker_timeout))
        gc = _run(gpython, gradio_env, {
            "task": "pool", "client": "benchmarks.clients.gradio_client_", "urls": fresh(),
            "n": cfg.n, "threads": cfg.pool_size()}, cfg.worker_timeout)
        second = start_app("batch_bench", env=app_env)
        two = _run(sys.executable, project, {
            "task": "map", "urls": [*fresh(), second.url], "n": cfg.n}, cfg.worker_timeout)
    finally:
        stop_app(first)
        if second is not None:
            stop_app(second)
    floor = {str(k): _summary(v) for k, v in raw.items()}
    return {"raw_floor": floor,
            "capacity_per_s": max(v["throughput_per_s"] for v in floor.values()),
            "map": _summary(maps), "gradio_client_pool": gc, "map_two_replicas": two}


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Runs of one client: the median rate, the highest peak memory, every failure."""
    rates = [r["throughput_per_s"] for r in runs]
    return {"throughput_per_s": statistics.median(rates), "rates": rates,
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "failures": sum(r["failures"] for r in runs), "runs": runs}


def evaluate(f: dict[str, Any], cfg: Config) -> list[tuple[str, float, str, float]]:
    rate = f["map"]["throughput_per_s"]
    return [
        ("map throughput / app capacity (raw floor's best)", rate / f["capacity_per_s"],
         ">=", 0.95),
        (f"map / gradio_client thread pool ({cfg.pool_size()} threads)",
         rate / f["gradio_client_pool"]["throughput_per_s"], ">=", 2.0),
        (f"map peak memory, {cfg.n} inputs (MB)", f["map"]["peak_rss_mb"], "<=", 60.0),
        ("two replicas / one", f["map_two_replicas"]["throughput_per_s"] / rate, ">=", 1.8),
        ("map failures", float(f["map"]["failures"] + f["map_two_replicas"]["failures"]),
         "==", 0.0),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    args = parser.parse_args(argv)
    if args.worker:
        result = worker(json.loads(args.worker))
        sys.stdout.write("\nBENCH-RESULT " + json.dumps(result) + "\n")
        return 0
    cfg = QUICK if args.quick else Config()
    for item in args.set:
        key, value = item.split("=", 1)
        current = getattr(cfg, key)
        cfg = replace(cfg, **{key: tuple(int(v) for v in value.split(",")) if isinstance(
            current, tuple) else type(current)(value)})
    print(f"app: /echo takes {cfg.delay * 1000:g} ms, {cfg.app_concurrency} at once (at most "
          f"{cfg.app_concurrency / cfg.delay:.0f}/s); {cfg.n} inputs; gradio_client pool of "
          f"{cfg.pool_size()} threads")
    figures = measure(cfg)
    print("raw floor by threads (median of rounds): " + ", ".join(
        f"{k}: {v['throughput_per_s']:.1f}/s" for k, v in figures["raw_floor"].items()))
    print("map by round: " + ", ".join(f"{r:.1f}/s" for r in figures["map"]["rates"]))
    print(f"capacity {figures['capacity_per_s']:.1f}/s; map {figures['map']['throughput_per_s']:.1f}/s"
          f" ({figures['map']['peak_rss_mb']:.1f} MB); gradio_client pool "
          f"{figures['gradio_client_pool']['throughput_per_s']:.1f}/s "
          f"({figures['gradio_client_pool']['peak_rss_mb']:.1f} MB); two replicas "
          f"{figures['map_two_replicas']['throughput_per_s']:.1f}/s")
    targets = []
    for name, value, op, limit in evaluate(figures, cfg):
        ok = {">=": value >= limit, "<=": value <= limit, "==": value == limit}[op]
        targets.append({"target": name, "value": value, "op": op, "limit": limit, "pass": ok})
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {value:.3g} (target {op} {limit:g})")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "batch.json").write_text(json.dumps(
        {"config": asdict(cfg), "figures": figures, "targets": targets,
         "load_average": list(os.getloadavg())}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
