"""Standard-library helpers shared by the orchestrator and the worker processes."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Sequence

MB = 1024 * 1024


def _status_kb(field: str) -> int:
    """A ``kB`` field of ``/proc/self/status`` (0 where procfs is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_mb() -> float:
    """Peak resident memory of this process (``VmHWM``), in MiB.

    ``ru_maxrss`` is not used: it carries over through fork+exec.
    """
    return _status_kb("VmHWM") / 1024


def rss_mb() -> float:
    """Current resident memory (``VmRSS``), in MiB."""
    return _status_kb("VmRSS") / 1024


def summary(values: Sequence[float]) -> dict[str, float | int]:
    """Median and spread of a sample."""
    import statistics

    ordered = sorted(values)
    n = len(ordered)
    return {
        "median": statistics.median(ordered),
        "p10": ordered[int(0.1 * (n - 1))],
        "p90": ordered[int(0.9 * (n - 1))],
        "min": ordered[0],
        "max": ordered[-1],
        "n": n,
    }
