"""Benchmark the generated SDK against gradio_client and a raw httpx floor.

``python -m benchmarks.run`` (``--quick`` for a tiny configuration) starts the
benchmark app on a real Gradio 6.31 server, generates its SDK, measures every client in
its own fresh processes, prints medians, ratios and PASS/FAIL per target, and writes
``benchmarks/results/latest.json`` and ``latest.png``. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Callable

from benchmarks._common import MB, summary
from benchmarks.clients import CLIENTS, IMPORTS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
SDK_NAME = "bench_sdk"


@dataclass(frozen=True)
class Config:
    """Sizes of one run."""

    import_reps: int = 30
    first_reps: int = 10
    seq_calls: int = 300
    seq_warmup: int = 20
    seq_reps: int = 3
    async_jobs: int = 1000
    sync_jobs: int = 200
    threads: int = 32
    conc_reps: int = 3
    async_reps: int = 1
    yields: int = 1000
    gen_reps: int = 3
    file_bytes: int = 200 * MB
    file_reps: int = 3
    endpoints: int = 100
    generation_reps: int = 2
    worker_timeout: float = 900.0


QUICK = Config(
    import_reps=1, first_reps=1, seq_calls=10, seq_warmup=2, seq_reps=1, async_jobs=20,
    sync_jobs=10, threads=4, conc_reps=1, async_reps=1, yields=20, gen_reps=1,
    file_bytes=1 * MB, file_reps=1, endpoints=3, generation_reps=1, worker_timeout=120.0,
)


class WorkerError(RuntimeError):
    """A worker process failed."""


class Runner:
    """Starts worker processes with the right interpreter and environment."""

    def __init__(self, url: str, sdk_dir: Path, gradio_python: Path, cfg: Config) -> None:
        self.url = url
        self.cfg = cfg
        self.gradio_python = gradio_python
        base = {k: v for k, v in os.environ.items() if not k.startswith(("GRADIO_", "HF_"))}
        base.pop("PYTHONPATH", None)
        # Bytecode caches as an installed package has them (pip compiles on install):
        # without this, the SDK and runtime would be compiled from source in every
        # process while gradio_client's site-packages are already compiled.
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        base.update({
            "HF_HUB_OFFLINE": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "GRADIO_ANALYTICS_ENABLED": "False",
        })
        self.env_project = {**base, "PYTHONPATH": os.pathsep.join([str(sdk_dir), str(ROOT)])}
        self.env_gradio = {**base, "PYTHONPATH": str(ROOT)}

    def run(self, task: str, in_gradio_env: bool, **params: Any) -> dict[str, Any]:
        python = str(self.gradio_python) if in_gradio_env else sys.executable
        env = self.env_gradio if in_gradio_env else self.env_project
        payload = json.dumps({"task": task, "url": self.url, **params})
        proc = subprocess.run(
            [python, "-m", "benchmarks.worker", payload], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=self.cfg.worker_timeout,
        )
        for line in reversed(proc.stdout.splitlines()):
            if line.startswith("BENCH-RESULT "):
                return json.loads(line[len("BENCH-RESULT "):])  # type: ignore[no-any-return]
        raise WorkerError(
            f"{task} {params} exited {proc.returncode}:\n{proc.stderr[-3000:]}"
        )

    def client(self, task: str, client: str, **params: Any) -> dict[str, Any]:
        module, in_gradio = CLIENTS[client]
        return self.run(task, in_gradio, client=module, **params)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_total = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            mem_total = int(info.readline().split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_mb": mem_total,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_start": list(os.getloadavg()),
    }


def _versions(runner: Runner) -> dict[str, str]:
    code = (
        "import importlib.metadata as m;"
        "print(m.version('gradio'), m.version('gradio_client'), m.version('httpx'))"
    )
    out = subprocess.run(
        [str(runner.gradio_python), "-c", code], capture_output=True, text=True,
        env=runner.env_gradio,
    ).stdout.split()
    import httpx

    from gradio_codegen import __version__

    return {
        "gradio": out[0] if out else "?", "gradio_client": out[1] if len(out) > 1 else "?",
        "httpx_gradio_env": out[2] if len(out) > 2 else "?", "httpx": httpx.__version__,
        "gradio_codegen": __version__,
    }


def _guard(errors: dict[str, str], key: str, fn: Callable[[], Any]) -> Any:
    """Run one measurement; record a failure instead of aborting the whole run."""
    try:
        return fn()
    except Exception as exc:
        errors[key] = f"{type(exc).__name__}: {exc}"[:4000]
        print(f"  ! {key} failed: {str(exc).splitlines()[0] if str(exc) else exc!r}",
              file=sys.stderr, flush=True)
        return None


def _median_transfer(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The transfer with the median throughput, with the largest memory growth of all."""
    if not runs:
        return None
    ordered = sorted(runs, key=lambda r: float(r["throughput_mb_s"]))
    return {**ordered[len(ordered) // 2], "runs": len(runs),
            "peak_growth_mb": max(float(r["peak_growth_mb"]) for r in runs)}


def _pooled_seq(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Latencies of every process pooled; CPU per call the median of the processes'."""
    if not runs:
        return None
    return {
        "calls": sum(r["calls"] for r in runs),
        "processes": len(runs),
        "latency_s": summary([x for r in runs for x in r["latencies"]]),
        "cpu_per_call_s": _median_of(runs, "cpu_per_call_s"),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
    }


def _pooled_gen(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Time per update over the processes (one stream each)."""
    if not runs:
        return None
    return {
        "yields": runs[0]["yields"],
        "processes": len(runs),
        "updates_seen": min(r["updates_seen"] for r in runs),
        "per_update_s": summary([r["per_update_s"]["median"] for r in runs]),
    }


def _rotating(clients: list[str], rounds: int) -> list[str]:
    """Each client once per round, the order rotated by one each round: the app slows
    down as it serves more sessions, so no client may always come last."""
    order = []
    for round_ in range(rounds):
        shift = round_ % len(clients)
        order += clients[shift:] + clients[:shift]
    return order


def _median_of(runs: list[dict[str, Any]], key: str) -> float:
    return float(summary([r[key] for r in runs])["median"])


#: What the cold generation figure imports (datamodel-code-generator lazily).
GENERATOR_MODULES = ("gradio_codegen.render", "datamodel_code_generator")


def measure_all(
    runner: Runner, cfg: Config, log: Callable[[str], None],
    fresh_app: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    """Every figure, as a JSON-ready dict (missing figures are None, see ``errors``).

    ``fresh_app`` restarts the app: a Gradio app slows down as it serves more calls
    (the echo's latency grows by half over the first few thousand), so each process
    that measures latency or throughput gets a fresh one, whatever its turn.
    """
    figures: dict[str, Any] = {}
    errors: dict[str, str] = {}
    sync_clients = ["sdk_sync", "sdk_async", "gradio_client", "raw_sync"]

    log(f"1. import time ({cfg.import_reps} fresh processes each)")
    for name, (module, in_gradio) in IMPORTS.items():  # untimed: writes bytecode caches
        _guard(errors, f"import.{name}.warmup", lambda: runner.run("import", in_gradio, module=module))
    samples: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(cfg.import_reps):
        for name, (module, in_gradio) in IMPORTS.items():  # interleaved against drift
            result = _guard(errors, f"import.{name}",
                            lambda: runner.run("import", in_gradio, module=module))
            if result:
                samples[name].append(result["seconds"])
    figures["import_s"] = {n: summary(v) if v else None for n, v in samples.items()}

    log(f"2. time to first result ({cfg.first_reps} fresh processes each)")
    first: dict[str, list[float]] = {name: [] for name in sync_clients}
    for _ in range(cfg.first_reps):
        for name in sync_clients:
            result = _guard(errors, f"first.{name}", lambda: runner.client("first", name))
            if result:
                first[name].append(result["seconds"])
    figures["first_result_s"] = {n: summary(v) if v else None for n, v in first.items()}

    log(f"3. sequential calls ({cfg.seq_calls} after {cfg.seq_warmup} warm-up, "
        f"{cfg.seq_reps} processes each)")
    seq_runs: dict[str, list[dict[str, Any]]] = {name: [] for name in sync_clients}
    for name in _rotating(sync_clients, cfg.seq_reps):
        fresh_app()
        result = _guard(errors, f"sequential.{name}", lambda: runner.client(
            "seq", name, calls=cfg.seq_calls, warmup=cfg.seq_warmup))
        if result:
            seq_runs[name].append(result)
    figures["sequential"] = {name: _pooled_seq(runs) for name, runs in seq_runs.items()}

    log(f"4. concurrency: {cfg.async_jobs} async jobs ({cfg.async_reps} processes each), "
        f"{cfg.sync_jobs} sync jobs on {cfg.threads} threads ({cfg.conc_reps} processes each)")
    figures["concurrent_async"] = {}
    figures["concurrent_sync"] = {}
    plan = [("concurrent_async", n, cfg.async_jobs) for n in ("sdk_async", "raw_async")]
    plan += [("concurrent_sync", n, cfg.sync_jobs) for n in ("sdk_sync", "gradio_client",
                                                              "raw_sync")]
    for group, name, jobs in plan:
        runs = []
        reps = cfg.async_reps if group == "concurrent_async" else cfg.conc_reps
        for _ in range(reps):
            fresh_app()
            result = _guard(errors, f"{group}.{name}", lambda: runner.client(
                "concurrent", name, jobs=jobs, threads=cfg.threads))
            if result:
                runs.append(result)
        figures[group][name] = None if not runs else {
            "jobs": jobs,
            "threads": runs[0]["threads"],
            "processes": len(runs),
            "wall_s": _median_of(runs, "wall_s"),
            "throughput_per_s": _median_of(runs, "throughput_per_s"),
            "cpu_per_job_s": _median_of(runs, "cpu_per_job_s"),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "failures": sum(r["failures"] for r in runs),
            "failure_samples": sorted({s for r in runs for s in r["failure_samples"]})[:5],
        }

    log(f"5. generator with {cfg.yields} yields ({cfg.gen_reps} processes each)")
    # As for figure 3: one stream per process, in rounds of rotating order, each on a
    # fresh app (one process per client on one app moved the ratios by 20%).
    gen_runs: dict[str, list[dict[str, Any]]] = {name: [] for name in sync_clients}
    for name in _rotating(sync_clients, cfg.gen_reps):
        fresh_app()
        result = _guard(errors, f"generator.{name}", lambda: runner.client(
            "generator", name, yields=cfg.yields, reps=1))
        if result:
            gen_runs[name].append(result)
    figures["generator"] = {name: _pooled_gen(runs) for name, runs in gen_runs.items()}

    log(f"6. files: {cfg.file_bytes / MB:.0f} MiB up and down ({cfg.file_reps} processes each)")
    for direction in ("file_up", "file_down"):
        transfers: dict[str, list[dict[str, Any]]] = {name: [] for name in sync_clients}
        for _ in range(cfg.file_reps):
            for name in sync_clients:  # interleaved: disk and page-cache state drift
                result = _guard(errors, f"{direction}.{name}", lambda: runner.client(
                    direction, name, bytes=cfg.file_bytes))
                if result:
                    transfers[name].append(result)
        figures[direction] = {name: _median_transfer(runs) for name, runs in transfers.items()}

    log(f"7. generating an SDK for {cfg.endpoints} synthetic endpoints")
    for module in GENERATOR_MODULES:  # untimed: bytecode caches, as after pip install
        _guard(errors, f"generation.warmup.{module}",
               lambda: runner.run("import", False, module=module))
    figures["generation"] = _guard(errors, "generation", lambda: runner.run(
        "generation", False, endpoints=cfg.endpoints, reps=cfg.generation_reps))
    return {"figures": figures, "errors": errors}


# -- targets -------------------------------------------------------------------------


def _get(figures: dict[str, Any], *path: str) -> Any:
    value: Any = figures
    for key in path:
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    return value


_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": lambda a, b: a <= b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
}


def evaluate(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets of issue 6: each with its measured value, limit and verdict."""
    targets: list[dict[str, Any]] = []

    def target(name: str, value: float | None, op: str, limit: float, unit: str = "") -> None:
        ok = None if value is None else _OPS[op](value, limit)
        targets.append({"target": name, "value": value, "op": op, "limit": limit,
                        "unit": unit, "pass": ok})

    def ratio(a: Any, b: Any) -> float | None:
        return None if a is None or b in (None, 0) else float(a) / float(b)

    def seq(c: str) -> Any:
        return _get(figures, "sequential", c, "latency_s", "median")

    for c in ("sdk_sync", "sdk_async"):
        target(f"sequential latency {c} / raw floor", ratio(seq(c), seq("raw_sync")), "<=", 1.25,
               "x")
        target(f"gradio_client latency / {c}", ratio(seq("gradio_client"), seq(c)), ">=", 8.0,
               "x")
        cpu = _get(figures, "sequential", c, "cpu_per_call_s")
        target(f"client CPU per call {c}", None if cpu is None else cpu * 1000, "<=", 2.0, "ms")
        # The 2 ms above was set where the raw floor needed 1.2 ms (field notes); CPU
        # speed varies several-fold between machines, so also compare with this run's floor.
        target(f"client CPU per call {c} / raw floor's (issue: 2 ms vs a 1.2 ms floor)",
               ratio(cpu, _get(figures, "sequential", "raw_sync", "cpu_per_call_s")), "<=",
               round(2.0 / 1.2, 2), "x")
    target("SDK import / import gradio_client",
           ratio(_get(figures, "import_s", "sdk", "median"),
                 _get(figures, "import_s", "gradio_client", "median")), "<=", 0.6, "x")
    def first(c: str) -> Any:
        return _get(figures, "first_result_s", c, "median")

    for c in ("sdk_sync", "sdk_async"):
        target(f"time to first result {c} / gradio_client", ratio(first(c), first(
            "gradio_client")), "<=", 0.5, "x")
    target("async concurrent jobs: failures",
           _get(figures, "concurrent_async", "sdk_async", "failures"), "==", 0)
    target("async concurrent jobs: peak memory",
           _get(figures, "concurrent_async", "sdk_async", "peak_rss_mb"), "<=", 60.0, "MB")
    target("sync concurrency throughput / raw floor (same threads)",
           ratio(_get(figures, "concurrent_sync", "sdk_sync", "throughput_per_s"),
                 _get(figures, "concurrent_sync", "raw_sync", "throughput_per_s")), ">=", 1.0,
           "x")
    def gen(c: str) -> Any:
        return _get(figures, "generator", c, "per_update_s", "median")

    for c in ("sdk_sync", "sdk_async"):
        target(f"generator time per update {c} / raw floor", ratio(gen(c), gen("raw_sync")),
               "<=", 1.2, "x")
    for direction in ("file_up", "file_down"):
        for c in ("sdk_sync", "sdk_async"):
            target(f"{direction} peak memory growth {c}",
                   _get(figures, direction, c, "peak_growth_mb"), "<=", 30.0, "MB")
            target(f"{direction} throughput {c} / raw httpx",
                   ratio(_get(figures, direction, c, "throughput_mb_s"),
                         _get(figures, direction, "raw_sync", "throughput_mb_s")), ">=", 0.9,
                   "x")
    target("SDK generation time (cold, in-process)",
           _get(figures, "generation", "cold_s"), "<", 2.0, "s")
    return targets


# -- output --------------------------------------------------------------------------


def _fmt(value: Any, scale: float = 1.0, digits: int = 1) -> str:
    return "-" if value is None else f"{value * scale:.{digits}f}"


def table(figures: dict[str, Any]) -> str:
    """A plain-text table of medians and ratios to the floor / gradio_client."""
    rows: list[tuple[str, ...]] = []
    cols = ("sdk_sync", "sdk_async", "gradio_client", "raw_sync")
    head = ("figure", "SDK sync", "SDK async", "gradio_client", "raw floor", "SDK/raw",
            "gc/SDK")

    def add(label: str, values: dict[str, Any], scale: float, digits: int = 1,
            floor: str = "raw_sync") -> None:
        cells = [_fmt(values.get(c), scale, digits) for c in cols]
        if floor != "raw_sync":
            cells[3] = _fmt(values.get(floor), scale, digits)
        sdk, raw, gc = values.get("sdk_sync"), values.get(floor), values.get("gradio_client")
        rows.append((label, *cells,
                     "-" if sdk is None or not raw else f"{sdk / raw:.2f}x",
                     "-" if sdk is None or gc is None or not sdk else f"{gc / sdk:.1f}x"))

    imp = figures.get("import_s") or {}
    def med(d: Any) -> Any:
        return None if d is None else d.get("median")

    add("import (ms)", {"sdk_sync": med(imp.get("sdk")), "sdk_async": med(imp.get("sdk")),
                        "gradio_client": med(imp.get("gradio_client")),
                        "raw_sync": med(imp.get("raw_httpx"))}, 1000)
    first = figures.get("first_result_s") or {}
    add("first result (ms)", {c: med(first.get(c)) for c in cols}, 1000)
    seq = figures.get("sequential") or {}
    add("seq latency (ms)", {c: _get(seq, c, "latency_s", "median") for c in cols}, 1000, 2)
    add("CPU per call (ms)", {c: _get(seq, c, "cpu_per_call_s") for c in cols}, 1000, 2)
    add("seq peak RSS (MB)", {c: _get(seq, c, "peak_rss_mb") for c in cols}, 1)
    ca, cs = figures.get("concurrent_async") or {}, figures.get("concurrent_sync") or {}
    add("async conc. jobs/s", {"sdk_async": _get(ca, "sdk_async", "throughput_per_s"),
                               "raw_async": _get(ca, "raw_async", "throughput_per_s")}, 1,
        floor="raw_async")
    add("async conc. peak MB", {"sdk_async": _get(ca, "sdk_async", "peak_rss_mb"),
                                "raw_async": _get(ca, "raw_async", "peak_rss_mb")}, 1,
        floor="raw_async")
    add("async conc. failures", {"sdk_async": _get(ca, "sdk_async", "failures"),
                                 "raw_async": _get(ca, "raw_async", "failures")}, 1, 0,
        floor="raw_async")
    add("sync conc. jobs/s", {c: _get(cs, c, "throughput_per_s") for c in cols}, 1)
    add("sync conc. peak MB", {c: _get(cs, c, "peak_rss_mb") for c in cols}, 1)
    add("sync conc. failures", {c: _get(cs, c, "failures") for c in cols}, 1, 0)
    gen = figures.get("generator") or {}
    add("generator ms/update", {c: _get(gen, c, "per_update_s", "median") for c in cols}, 1000,
        3)
    for direction in ("file_up", "file_down"):
        f = figures.get(direction) or {}
        add(f"{direction} MB/s", {c: _get(f, c, "throughput_mb_s") for c in cols}, 1)
        add(f"{direction} peak +MB", {c: _get(f, c, "peak_growth_mb") for c in cols}, 1)
    # the async rows put the async floor in the raw column
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                       enumerate(zip(row, widths))) for row in [head, *rows]]
    lines.insert(1, "-" * len(lines[0]))
    g = figures.get("generation")
    if g:
        lines.append("")
        lines.append(
            f"generation of {g['endpoints']} endpoints ({g['generated_lines']} lines): cold "
            f"{g['cold_s']:.2f} s (import {g['import_s']:.2f} s), warm {g['warm_s']:.2f} s; "
            f"black {g['black_share']:.0%}, datamodel-code-generator "
            f"{g['datamodel_codegen_share']:.0%} of warm (cold: {g['cold_black_share']:.0%}, "
            f"{g['cold_datamodel_codegen_share']:.0%})"
        )
    return "\n".join(lines)


def target_lines(targets: list[dict[str, Any]]) -> str:
    out = []
    for t in targets:
        verdict = {True: "PASS", False: "FAIL", None: "N/A "}[t["pass"]]
        value = "-" if t["value"] is None else f"{t['value']:.3g}"
        out.append(f"{verdict}  {t['target']}: {value}{t['unit']} (target {t['op']} "
                   f"{t['limit']:g}{t['unit']})")
    return "\n".join(out)


# -- main ----------------------------------------------------------------------------


def generate_sdk(url: str, out: Path) -> float:
    """Generate the benchmark app's SDK with the CLI; returns the seconds it took."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "gradio_codegen", url, "-o", str(out / SDK_NAME)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny configuration (smoke test)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for latest.*")
    parser.add_argument("--no-chart", action="store_true", help="skip the PNG")
    parser.add_argument("--url", help="use a running benchmark app instead of starting one")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="override one Config field, e.g. --set async_jobs=300")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else Config()
    overrides: dict[str, Any] = {}
    for item in args.set:
        key, _, value = item.partition("=")
        if key not in Config.__dataclass_fields__:
            parser.error(f"unknown field {key!r}; fields: {', '.join(Config.__dataclass_fields__)}")
        overrides[key] = type(getattr(cfg, key))(float(value) if "." in value else int(value))
    cfg = replace(cfg, **overrides)
    sys.path.insert(0, str(ROOT))
    from benchmarks import _servers

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    started = time.time()
    info = machine()
    log(f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, load "
        f"{info['load_average_start'][0]:.1f}")
    gradio_python = _servers.gradio_python()
    server = None
    workdir = Path(tempfile.mkdtemp(prefix="bench-sdk-"))

    def fresh_app() -> None:
        """Replace the app by a new process on the same port (see ``measure_all``)."""
        nonlocal server
        if server is None:
            return  # an app given by --url is measured as it is
        _servers.stop_app(server)
        server = _servers.start_app("bench", port=server.port)

    try:
        if args.url:
            url = args.url
        else:
            log("starting the benchmark app on gradio 6.31")
            server = _servers.start_app("bench")
            url = server.url
        generate_s = generate_sdk(url, workdir)
        log(f"generated {SDK_NAME} in {generate_s:.2f} s")
        runner = Runner(url, workdir, gradio_python, cfg)
        versions = _versions(runner)
        measured = measure_all(runner, cfg, log, fresh_app)
    finally:
        if server is not None:
            _servers.stop_app(server)
        shutil.rmtree(workdir, ignore_errors=True)
    info["load_average_end"] = list(os.getloadavg())
    figures = measured["figures"]
    targets = evaluate(figures)
    report = {
        "format": 1,
        "started": dt.datetime.fromtimestamp(started, dt.timezone.utc).isoformat(),
        "duration_s": time.time() - started,
        "quick": args.quick,
        "machine": info,
        "versions": versions,
        "config": asdict(cfg),
        "figures": figures,
        "targets": targets,
        "errors": measured["errors"],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    json_path = args.out / "latest.json"
    json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print()
    print(table(figures))
    print()
    print(target_lines(targets))
    if measured["errors"]:
        print(f"\n{len(measured['errors'])} measurement(s) failed: "
              f"{', '.join(measured['errors'])} (details in the JSON)")
    if not args.no_chart:
        from benchmarks.chart import draw

        png = draw(report, args.out / "latest.png")
        log(f"wrote {json_path} and {png}")
    else:
        log(f"wrote {json_path}")
    return 1 if measured["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
