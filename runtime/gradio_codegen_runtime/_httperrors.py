"""HTTP failures: which requests may be retried, how long to wait, and which runtime
error an error status becomes. Shared by the connection and both sessions."""

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

__all__ = ["JOIN_RETRY_STATUS", "RETRY_STATUS", "RetryPolicy", "retry_after", "status_error"]


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


#: Statuses that mean "not processed, try later" for a request that is safe to repeat.
RETRY_STATUS = frozenset({429, 502, 503, 504})
#: A join answered 502/504 by a proxy may have reached the app and queued the job:
#: only statuses that say "not processed" are retried, so a job never runs twice.
JOIN_RETRY_STATUS = frozenset({429, 503})


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
