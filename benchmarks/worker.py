"""One measurement in a fresh process: ``python -m benchmarks.worker '<json>'``.

The JSON names a ``task`` and its parameters; the worker prints one JSON line with the
figures (and ``peak_rss_mb``, this process's ``VmHWM``). Standard library only at top
level: the client library is imported inside the timed region where that matters.
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()  # before anything else: the start of "time to first result"

# Only modules the interpreter has already loaded (or that are tiny) are imported here,
# so that the import and first-result figures do not get any library for free.
import importlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

from benchmarks._common import MB, peak_rss_mb, rss_mb, summary  # noqa: E402

_LOOP: Any = None


def _loop() -> Any:
    """The worker's one event loop (async adapters keep their client on it)."""
    global _LOOP
    if _LOOP is None:
        import asyncio

        _LOOP = asyncio.new_event_loop()
        asyncio.set_event_loop(_LOOP)
    return _LOOP


def _adapter(module: str, url: str) -> tuple[Any, Any]:
    mod = importlib.import_module(module)
    return mod, mod.Adapter(url)


def _run(mod: Any, fn: Callable[..., Any], *args: Any) -> Any:
    """Call an adapter method (a coroutine function for async adapters)."""
    if mod.IS_ASYNC:
        return _loop().run_until_complete(fn(*args))
    return fn(*args)


def _profiled(cfg: dict[str, Any]) -> Any:
    """A cProfile profiler when ``cfg['profile']`` names an output file."""
    if not cfg.get("profile"):
        return None
    import cProfile

    return cProfile.Profile()


def _dump(profiler: Any, cfg: dict[str, Any]) -> None:
    if profiler is not None:
        profiler.dump_stats(cfg["profile"])


def task_import(cfg: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    importlib.import_module(cfg["module"])
    return {"seconds": time.perf_counter() - start}


def task_first(cfg: dict[str, Any]) -> dict[str, Any]:
    mod, adapter = _adapter(cfg["client"], cfg["url"])
    result = _run(mod, adapter.call, "hello")
    elapsed = time.perf_counter() - _T0
    assert result == "hello", result
    _run(mod, adapter.close)
    return {"seconds": elapsed}


def task_seq(cfg: dict[str, Any]) -> dict[str, Any]:
    mod, adapter = _adapter(cfg["client"], cfg["url"])
    for _ in range(cfg["warmup"]):
        _run(mod, adapter.call, "warm")
    latencies = []
    profiler = _profiled(cfg)

    async def many_async() -> None:
        for i in range(cfg["calls"]):
            start = time.perf_counter()
            await adapter.call("x")
            latencies.append(time.perf_counter() - start)

    def many_sync() -> None:
        for i in range(cfg["calls"]):
            start = time.perf_counter()
            adapter.call("x")
            latencies.append(time.perf_counter() - start)

    cpu0 = time.process_time()
    if profiler:
        profiler.enable()
    if mod.IS_ASYNC:
        _loop().run_until_complete(many_async())
    else:
        many_sync()
    if profiler:
        profiler.disable()
    cpu = time.process_time() - cpu0
    _dump(profiler, cfg)
    _run(mod, adapter.close)
    return {
        "calls": cfg["calls"],
        "latencies": latencies,
        "cpu_per_call_s": cpu / cfg["calls"],
    }


def task_concurrent(cfg: dict[str, Any]) -> dict[str, Any]:
    mod, adapter = _adapter(cfg["client"], cfg["url"])
    _run(mod, adapter.call, "warm")
    jobs, threads = cfg["jobs"], cfg.get("threads", 0)
    failures: list[str] = []
    profiler = _profiled(cfg)

    async def all_async() -> list[Any]:
        import asyncio

        return await asyncio.gather(
            *(adapter.call(f"job {i}") for i in range(jobs)), return_exceptions=True
        )

    def one(i: int) -> Any:
        try:
            return adapter.call(f"job {i}")
        except Exception as exc:  # counted, not raised
            return exc

    cpu0 = time.process_time()
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    if mod.IS_ASYNC:
        results = _loop().run_until_complete(all_async())
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(one, range(jobs)))
    if profiler:
        profiler.disable()
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    _dump(profiler, cfg)
    for i, result in enumerate(results):
        if isinstance(result, BaseException):
            failures.append(f"{type(result).__name__}: {result}"[:200])
        elif result != f"job {i}":
            failures.append(f"wrong result {result!r}"[:200])
    _run(mod, adapter.close)
    return {
        "jobs": jobs,
        "threads": threads if not mod.IS_ASYNC else None,
        "wall_s": wall,
        "throughput_per_s": jobs / wall,
        "cpu_per_job_s": cpu / jobs,
        "failures": len(failures),
        "failure_samples": sorted(set(failures))[:5],
    }


def task_generator(cfg: dict[str, Any]) -> dict[str, Any]:
    mod, adapter = _adapter(cfg["client"], cfg["url"])
    _run(mod, adapter.stream, 3)
    per_update = []
    updates = 0
    for _ in range(cfg["reps"]):
        start = time.perf_counter()
        updates = _run(mod, adapter.stream, cfg["yields"])
        per_update.append((time.perf_counter() - start) / cfg["yields"])
    _run(mod, adapter.close)
    return {"yields": cfg["yields"], "updates_seen": updates, "per_update_s": summary(per_update)}


def _make_file(path: str, size: int) -> None:
    block = os.urandom(MB)
    with open(path, "wb") as out:
        remaining = size
        while remaining > 0:
            out.write(block[: min(remaining, MB)])
            remaining -= MB


def task_file_up(cfg: dict[str, Any]) -> dict[str, Any]:
    import tempfile

    mod, adapter = _adapter(cfg["client"], cfg["url"])
    workdir = tempfile.mkdtemp(prefix="bench-up-")
    small, big = os.path.join(workdir, "small.bin"), os.path.join(workdir, "big.bin")
    _make_file(small, 64 * 1024)
    _make_file(big, cfg["bytes"])
    _run(mod, adapter.upload, small)  # warm: imports, connection
    before = rss_mb()
    start = time.perf_counter()
    _run(mod, adapter.upload, big)
    seconds = time.perf_counter() - start
    growth = peak_rss_mb() - before
    _run(mod, adapter.close)
    for path in (small, big):
        os.unlink(path)
    return {
        "bytes": cfg["bytes"],
        "seconds": seconds,
        "throughput_mb_s": cfg["bytes"] / MB / seconds,
        "peak_growth_mb": growth,
    }


def task_file_down(cfg: dict[str, Any]) -> dict[str, Any]:
    import tempfile

    mod, adapter = _adapter(cfg["client"], cfg["url"])
    workdir = tempfile.mkdtemp(prefix="bench-down-")
    warm = _run(mod, adapter.prepare_download, 64 * 1024)
    _run(mod, adapter.download, warm, workdir)
    handle = _run(mod, adapter.prepare_download, cfg["bytes"])
    before = rss_mb()
    start = time.perf_counter()
    path = _run(mod, adapter.download, handle, workdir)
    seconds = time.perf_counter() - start
    growth = peak_rss_mb() - before
    size = os.path.getsize(path)
    _run(mod, adapter.close)
    return {
        "bytes": size,
        "seconds": seconds,
        "throughput_mb_s": size / MB / seconds,
        "peak_growth_mb": growth,
        "includes_call": bool(getattr(mod, "DOWNLOAD_INCLUDES_CALL", False)),
    }


def task_generation(cfg: dict[str, Any]) -> dict[str, Any]:
    from benchmarks.generation import measure

    return measure(cfg["endpoints"], cfg["reps"], _T0)


TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "import": task_import,
    "first": task_first,
    "seq": task_seq,
    "concurrent": task_concurrent,
    "generator": task_generator,
    "file_up": task_file_up,
    "file_down": task_file_down,
    "generation": task_generation,
}


def main() -> None:
    cfg = json.loads(sys.argv[1])
    result = TASKS[cfg["task"]](cfg)
    result["peak_rss_mb"] = peak_rss_mb()
    sys.stdout.write("\nBENCH-RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
