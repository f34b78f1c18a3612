"""Draw ``latest.png``: one panel per figure, the machine in the title."""

from __future__ import annotations

from pathlib import Path
from typing import Any

COLORS = {"SDK sync": "#1f77b4", "SDK async": "#17becf", "SDK": "#1f77b4",
          "gradio_client": "#ff7f0e", "raw floor": "#7f7f7f", "httpx": "#7f7f7f"}


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict) or d.get(key) is None:
            return None
        d = d[key]
    return d


def _panels(fig: dict[str, Any]) -> list[tuple[str, dict[str, float | None]]]:
    clients = {"SDK sync": "sdk_sync", "SDK async": "sdk_async",
               "gradio_client": "gradio_client", "raw floor": "raw_sync"}

    def per(group: str, *path: str, scale: float = 1.0) -> dict[str, float | None]:
        out = {}
        for label, key in clients.items():
            v = _get(fig, group, key, *path)
            out[label] = None if v is None else v * scale
        return out

    imp = fig.get("import_s") or {}
    sdk_imp = _get(imp, "sdk", "median")
    panels = [
        ("import (ms)", {"SDK": None if sdk_imp is None else sdk_imp * 1000,
                         "gradio_client": _scaled(_get(imp, "gradio_client", "median"), 1000),
                         "httpx": _scaled(_get(imp, "raw_httpx", "median"), 1000)}),
        ("time to first result (ms)", per("first_result_s", "median", scale=1000)),
        ("sequential latency, median (ms)", per("sequential", "latency_s", "median",
                                                scale=1000)),
        ("client CPU per call (ms)", per("sequential", "cpu_per_call_s", scale=1000)),
        ("async concurrency (jobs/s)", {
            "SDK async": _get(fig, "concurrent_async", "sdk_async", "throughput_per_s"),
            "raw floor": _get(fig, "concurrent_async", "raw_async", "throughput_per_s")}),
        ("async concurrency peak RSS (MB)", {
            "SDK async": _get(fig, "concurrent_async", "sdk_async", "peak_rss_mb"),
            "raw floor": _get(fig, "concurrent_async", "raw_async", "peak_rss_mb")}),
        ("sync concurrency (jobs/s)", per("concurrent_sync", "throughput_per_s")),
        ("generator, per update (ms)", per("generator", "per_update_s", "median",
                                           scale=1000)),
        ("file up (MB/s)", per("file_up", "throughput_mb_s")),
        ("file down (MB/s)", per("file_down", "throughput_mb_s")),
        ("file up/down peak growth (MB)", {
            **{f"{k} up": v for k, v in per("file_up", "peak_growth_mb").items()
               if k.startswith("SDK") or k == "raw floor"},
            **{f"{k} down": v for k, v in per("file_down", "peak_growth_mb").items()
               if k.startswith("SDK") or k == "raw floor"}}),
    ]
    gen = fig.get("generation")
    if gen:
        other = gen["warm_s"] - gen["warm_black_s"] - gen["warm_datamodel_codegen_s"]
        panels.append((f"generation, {gen['endpoints']} endpoints (s)", {
            "cold total": gen["cold_s"], "warm total": gen["warm_s"],
            "warm black": gen["warm_black_s"],
            "warm dmcg": gen["warm_datamodel_codegen_s"], "warm rest": other}))
    return panels


def _scaled(value: Any, scale: float) -> float | None:
    return None if value is None else value * scale


def draw(report: dict[str, Any], path: Path) -> Path:
    """Write the chart for ``report`` (the JSON written by ``run.py``) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = _panels(report["figures"])
    cols = 4
    rows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.6 * rows))
    for ax, (title, values) in zip(axes.flat, panels):
        labels = [k for k, v in values.items() if v is not None]
        heights = [float(values[k]) for k in labels]  # type: ignore[arg-type]
        colors = [next((c for name, c in COLORS.items() if k.startswith(name)), "#2ca02c")
                  for k in labels]
        bars = ax.bar(range(len(labels)), heights, color=colors)
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=25, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        for bar, h in zip(bars, heights):
            ax.annotate(f"{h:.3g}", (bar.get_x() + bar.get_width() / 2, h),
                        ha="center", va="bottom", fontsize=7)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    m, v = report["machine"], report.get("versions", {})
    load = m.get("load_average_start") or [0]
    fig.suptitle(
        f"gradio-codegen {v.get('gradio_codegen', '?')} vs gradio_client "
        f"{v.get('gradio_client', '?')} and raw httpx, gradio {v.get('gradio', '?')} on "
        f"loopback{' (quick run)' if report.get('quick') else ''}\n"
        f"{m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['platform']}, "
        f"load {load[0]:.1f}, {report['started'][:16]} UTC",
        fontsize=11,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
