"""HTTP failures: which requests may be retried, how long to wait, and which runtime
error an error status becomes. Shared by the connection and both sessions.

The retry decisions are pure (``RetryPolicy.after_error`` / ``after_status``: the
seconds to wait before sending again, or None to give up), so the sync and async
request loops differ only in how they send and sleep."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Mapping

from . import _http
from .errors import (
    APIStatusError,
    AuthenticationError,
    NotFoundError,
    QueueFullError,
    RateLimitError,
    ValidationError,
)

__all__ = [
    "JOIN_RETRY_STATUS", "RETRY_STATUS", "RetryPolicy", "is_connect", "retry_after",
    "status_error",
]

#: Statuses that mean "not processed, try later" for a request that is safe to repeat.
RETRY_STATUS = frozenset({429, 502, 503, 504})
#: A join answered 502/504 by a proxy may have reached the app and queued the job:
#: only statuses that say "not processed" are retried, so a job never runs twice.
JOIN_RETRY_STATUS = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries for requests that are safe to repeat (nothing ran yet)."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return float(min(max(retry_after, 0.0), self.max_retry_after))
        base: float = min(self.initial_delay * 2.0**attempt, self.max_delay)
        return base * (0.75 + random.random() * 0.5)

    def after_error(self, exc: Exception, attempt: int, *, reached: bool = False) -> float | None:
        """Seconds to wait before attempt ``attempt + 1`` after a transport error, or
        None to give up: only a connection that never reached the app (nothing ran
        there, and ``reached`` is False) is tried again."""
        if reached or attempt >= self.max_retries or not is_connect(exc):
            return None
        return self.delay(attempt)

    def after_status(
        self, response: _http.Response, attempt: int,
        statuses: frozenset[int] = RETRY_STATUS,
    ) -> float | None:
        """Seconds to wait before sending again after an answer whose status says
        "not processed, try later" (honouring Retry-After), or None to take it."""
        if response.status_code not in statuses or attempt >= self.max_retries:
            return None
        return self.delay(attempt, retry_after(response))


def is_connect(exc: Exception) -> bool:
    """The request never reached the app (connecting failed, or no pooled slot)."""
    return isinstance(exc, _http.ConnectError) or type(exc).__name__ in (
        "ConnectTimeout", "PoolTimeout",
    )


def retry_after(response: _http.Response) -> float | None:
    """The server's Retry-After hint in seconds (delta-seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _detail(response: _http.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    return body


def _detail_text(body: Any) -> str:
    if isinstance(body, Mapping):
        for key in ("detail", "error", "message"):
            value = body.get(key)
            if isinstance(value, str):
                return value
            if isinstance(value, Mapping):
                inner = value.get("error") or value.get("message")
                if isinstance(inner, str):
                    return inner
    if isinstance(body, str):
        return body.strip()[:300]
    return ""


def status_error(response: _http.Response, what: str) -> Exception:
    """Map an HTTP error response to the runtime's error types."""
    code = response.status_code
    body = _detail(response)
    detail = _detail_text(body)
    suffix = f": {detail}" if detail else ""
    if code == 422 and isinstance(body, Mapping) and isinstance(body.get("detail"), list):
        problems = [
            f"{d.get('parameter_name') or 'argument'}: {d.get('message') or d.get('msg')}"
            for d in body["detail"]
            if isinstance(d, Mapping) and d.get("is_valid") is not True
        ]
        failed = [
            d for d in body["detail"] if isinstance(d, Mapping) and d.get("is_valid") is not True
        ]
        name = failed[0].get("parameter_name") if failed else None
        return ValidationError(
            f"{what} was rejected by the app: " + "; ".join(problems),
            parameter=name if isinstance(name, str) else None,
        )
    if code in (401, 403):
        return AuthenticationError(
            f"{what} needs valid credentials (HTTP {code}){suffix}", status_code=code, body=body
        )
    if code == 404:
        return NotFoundError(f"{what}: not found (HTTP 404){suffix}", status_code=code, body=body)
    if code == 429:
        return RateLimitError(
            f"{what}: rate limited (HTTP 429){suffix}", status_code=code, body=body,
            retry_after=retry_after(response),
        )
    if code == 503 and "queue" in detail.lower():
        return QueueFullError(f"{what}: {detail}", status_code=code, body=body)
    return APIStatusError(f"{what} failed with HTTP {code}{suffix}", status_code=code, body=body)
