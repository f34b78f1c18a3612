"""The scheduling core of ``map`` (no I/O): which input starts next and on which
deployment, what a failed attempt means (retry later, or an outcome), and which
outcomes are ready in input order.

The sync and async drivers (``batch.py``) only submit, wait and feed events back here,
so both schedule, retry and order the same way by construction. Time is passed in;
nothing here sleeps, reads a clock, or touches the network.
"""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Iterator, Sequence, TypeVar, Union

from .errors import QueueFullError, RateLimitError

__all__ = ["Attempt", "Lane", "MapCore", "Outcome", "retry_delay"]

T = TypeVar("T")

#: Jobs a deployment may have queued beyond those it runs (auto concurrency).
HEADROOM = 2
#: Jobs in flight per deployment at most, when the caller gives no concurrency.
DEFAULT_CAP = 16
#: Inputs admitted ahead of the first one not yet emitted (bounds the reorder buffer).
DEFAULT_WINDOW = 1024
#: Attempts per input when a join is refused (queue full, rate limited).
MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What became of one input of a map: its ``index`` and its ``value`` or ``error``.

    ``attempts`` counts the joins tried (refused joins are retried; a job that reached
    the app never runs twice); ``replayed`` is True when it came from the checkpoint.
    """

    index: int
    value: T | None = None
    error: Exception | None = None
    attempts: int = 1
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def result(self) -> T:
        """The value, or raise the input's error."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


@dataclass(eq=False)
class Attempt:
    """One try of one input on one deployment (lane)."""

    index: int
    values: list[Any]
    key: str
    lane: int
    number: int = 1
    started: bool = False
    done: bool = False


@dataclass
class Lane:
    """One deployment's share of the map.

    With ``fixed`` unset the limit follows the app: the most jobs it has been seen
    running at once (``peak``) plus ``HEADROOM`` queued, or as many queued as that when
    it is more, up to ``cap``. The app's limit is not in its /config, so it is read
    from the queue's own ``process_starts`` messages; the queue never holds more than
    one round of this map's jobs.

    The peak, not the jobs running right now: when each job is short, the app's slots
    are often empty for a moment between jobs, and a limit that shrank with them would
    leave the queue too shallow to refill them. Old queues (Gradio 3.x) poll every
    50 ms and start only what is queued then, and per-job streams (3.x, 4.0-4.8) spend
    part of each job before its ``process_starts``; both showed it.
    """

    fixed: int | None = None
    cap: int = DEFAULT_CAP
    in_flight: int = 0
    running: int = 0
    #: The most of this lane's jobs seen running at once.
    peak: int = 0

    def limit(self) -> int:
        if self.fixed is not None:
            return self.fixed
        return min(self.cap, max(self.peak + HEADROOM, 2 * self.peak))

    def room(self) -> int:
        return self.limit() - self.in_flight


#: What ``admit`` makes of an input: the bound values and their key, or an outcome.
Admitted = Union[tuple[list[Any], str], Outcome[Any]]


def retry_delay(error: BaseException, number: int) -> float | None:
    """Seconds to wait before trying an input again, or None for a final outcome.

    Only refusals that prove nothing was queued are retried: a join answered 429 or
    503 (raised by submit) and the queue's ``queue_full`` message. A connection lost
    after a join may have queued the job, so it is final: a job never runs twice.
    """
    if number >= MAX_ATTEMPTS or not isinstance(error, (QueueFullError, RateLimitError)):
        return None
    hint = getattr(error, "retry_after", None)
    if isinstance(hint, (int, float)) and hint >= 0:
        return float(min(hint, 60.0))
    return min(0.5 * 2.0 ** (number - 1), 8.0) * (0.75 + random.random() * 0.5)


@dataclass
class MapCore:
    """Admits inputs, records completions, and hands out outcomes in input order.

    ``admit(index, item)`` binds one raw input (or answers it from a checkpoint); it is
    called only when a lane has room and the window allows, so a generator of a
    million inputs is read as the map goes. At most ``window`` inputs separate the
    oldest unfinished one from the newest admitted, which bounds the memory held for
    outcomes waiting for an earlier one.
    """

    inputs: Iterator[Any]
    admit: Callable[[int, Any], Admitted]
    lanes: list[Lane]
    window: int = DEFAULT_WINDOW
    next_index: int = 0
    next_emit: int = 0
    exhausted: bool = False
    stopped: bool = False
    results: dict[int, Outcome[Any]] = field(default_factory=dict)
    retries: list[tuple[float, int, Attempt]] = field(default_factory=list)
    _seq: Iterator[int] = field(default_factory=itertools.count)

    @classmethod
    def create(
        cls, inputs: Iterator[Any], admit: Callable[[int, Any], Admitted],
        limits: Sequence[int | None], *, cap: int = DEFAULT_CAP, window: int | None = None,
    ) -> MapCore:
        lanes = [Lane(fixed=limit, cap=cap) for limit in limits]
        biggest = max(lane.limit() if lane.fixed else cap for lane in lanes)
        return cls(inputs, admit, lanes, window or max(DEFAULT_WINDOW, 4 * biggest))

    # -- starting --------------------------------------------------------------------

    def _open_lane(self) -> int | None:
        best, room = None, 0
        for i, lane in enumerate(self.lanes):
            r = lane.room()
            if r > room:
                best, room = i, r
        return best

    def take_starts(self, now: float) -> list[Attempt]:
        """Attempts to start now: due retries first, then new inputs."""
        starts: list[Attempt] = []
        while not self.stopped:
            lane = self._open_lane()
            if lane is None:
                break
            if self.retries and self.retries[0][0] <= now:
                _, _, old = heapq.heappop(self.retries)
                attempt = Attempt(old.index, old.values, old.key, lane, old.number + 1)
            else:
                if self.exhausted or self.next_index - self.next_emit >= self.window:
                    break
                try:
                    item = next(self.inputs)
                except StopIteration:
                    self.exhausted = True
                    break
                index = self.next_index
                self.next_index += 1
                admitted = self.admit(index, item)
                if isinstance(admitted, Outcome):
                    self.results[index] = admitted
                    continue
                values, key = admitted
                attempt = Attempt(index, values, key, lane)
            self.lanes[lane].in_flight += 1
            starts.append(attempt)
        return starts

    # -- events from the drivers --------------------------------------------------------

    def started(self, attempt: Attempt) -> None:
        """The app began running the attempt (its ``process_starts``)."""
        if not attempt.done and not attempt.started:
            attempt.started = True
            lane = self.lanes[attempt.lane]
            lane.running += 1
            lane.peak = max(lane.peak, lane.running)

    def _end(self, attempt: Attempt) -> bool:
        if attempt.done:
            return False
        attempt.done = True
        lane = self.lanes[attempt.lane]
        lane.in_flight -= 1
        if attempt.started:
            lane.running -= 1
        return True

    def succeeded(self, attempt: Attempt, value: Any) -> Outcome[Any] | None:
        """Record a result; returns the outcome (None if the attempt had ended)."""
        if not self._end(attempt):
            return None
        outcome: Outcome[Any] = Outcome(attempt.index, value, None, attempt.number)
        self.results[attempt.index] = outcome
        return outcome

    def failed(self, attempt: Attempt, error: Exception, now: float) -> Outcome[Any] | None:
        """Record a failure: a retry later, or the input's outcome (returned)."""
        if not self._end(attempt):
            return None
        delay = None if self.stopped else retry_delay(error, attempt.number)
        if delay is not None:
            heapq.heappush(self.retries, (now + delay, next(self._seq), attempt))
            return None
        outcome: Outcome[Any] = Outcome(attempt.index, None, error, attempt.number)
        self.results[attempt.index] = outcome
        return outcome

    # -- emitting ------------------------------------------------------------------------

    def pop_ready(self) -> list[Outcome[Any]]:
        """Outcomes now ready in input order (each returned once)."""
        ready: list[Outcome[Any]] = []
        while self.next_emit in self.results:
            ready.append(self.results.pop(self.next_emit))
            self.next_emit += 1
        return ready

    def in_flight(self) -> int:
        return sum(lane.in_flight for lane in self.lanes)

    def finished(self) -> bool:
        """Every input read, run (or replayed) and emitted."""
        return (
            self.exhausted and not self.retries and self.in_flight() == 0
            and self.next_emit == self.next_index
        )

    def wake_at(self) -> float | None:
        """When the earliest waiting retry is due (drivers wait at most until then)."""
        return self.retries[0][0] if self.retries else None

    def stop(self) -> None:
        """Start nothing more (the caller stopped iterating)."""
        self.stopped = True
        self.retries.clear()

