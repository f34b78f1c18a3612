"""Errors raised by the runtime and by generated SDKs.

The hierarchy::

    GradioError
    ├── APIConnectionError          the app could not be reached, or the stream broke
    │   └── APITimeoutError         no answer within the configured timeout
    ├── APIStatusError              the app answered with an HTTP error status
    │   ├── AuthenticationError     401/403, or a rejected login
    │   ├── NotFoundError           404 (unknown route or Space)
    │   ├── RateLimitError          429 (``retry_after`` seconds when the server said)
    │   └── QueueFullError          503 from the queue
    ├── AppError                    the app's function raised (``gr.Error`` message, title)
    │   └── ZeroGPUQuotaError       a ZeroGPU quota was exceeded (``retry_after``)
    ├── ValidationError             bad input, found before sending or by the app (422)
    ├── CancelledError              the job was cancelled
    ├── JobTimeoutError             ``Job.result(timeout=...)`` ran out
    ├── ProtocolError               the server spoke something this runtime cannot use
    ├── CheckpointError             a map's checkpoint file belongs to another map
    ├── SpaceError                  a Hugging Face Space is paused, broken or missing
    └── RuntimeVersionError         a generated SDK needs another runtime version

Messages never contain tokens or passwords.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AppError",
    "AuthenticationError",
    "CancelledError",
    "CheckpointError",
    "GradioError",
    "JobTimeoutError",
    "NotFoundError",
    "ProtocolError",
    "QueueFullError",
    "RateLimitError",
    "RuntimeVersionError",
    "SpaceError",
    "ValidationError",
    "ZeroGPUQuotaError",
]


class GradioError(Exception):
    """Base class of every error the runtime raises."""


class APIConnectionError(GradioError):
    """The app could not be reached, or the connection broke mid-way."""


class APITimeoutError(APIConnectionError, TimeoutError):
    """The app did not answer within the configured timeout."""


class APIStatusError(GradioError):
    """The app answered with an HTTP error status."""

    def __init__(self, message: str, *, status_code: int, body: Any = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body


class AuthenticationError(APIStatusError):
    """Credentials are missing or wrong (401/403, or a rejected ``/login``)."""


class NotFoundError(APIStatusError):
    """The route, endpoint or Space does not exist (404)."""


class RateLimitError(APIStatusError):
    """Too many requests (429); ``retry_after`` is the server's hint in seconds."""

    def __init__(
        self, message: str, *, status_code: int = 429, body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, body=body)
        self.retry_after = retry_after


class QueueFullError(APIStatusError):
    """The app's queue is full or stopped (503 on join)."""


class AppError(GradioError):
    """The app's function raised; carries the message and title the app sent."""

    def __init__(
        self, message: str, *, title: str | None = None,
        duration: float | None = None, visible: bool = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.title = title
        self.duration = duration
        self.visible = visible


class ZeroGPUQuotaError(AppError):
    """A ZeroGPU Space refused the job: the caller's GPU quota is used up."""

    def __init__(
        self, message: str, *, title: str | None = None,
        duration: float | None = None, visible: bool = True,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, title=title, duration=duration, visible=visible)
        self.retry_after = retry_after


class ValidationError(GradioError, ValueError):
    """An argument is invalid; ``parameter`` names it when known."""

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


class CancelledError(GradioError):
    """The job was cancelled before it produced a result."""


class JobTimeoutError(GradioError, TimeoutError):
    """Waiting for a job's result took longer than the given timeout."""


class ProtocolError(GradioError):
    """The server's protocol, version or messages cannot be used by this runtime."""


class CheckpointError(GradioError, ValueError):
    """A map's checkpoint file is for another endpoint, or an input at a recorded
    index changed since it was recorded."""


class SpaceError(GradioError):
    """A Hugging Face Space cannot be used (paused, broken, missing, not running)."""

    def __init__(self, message: str, *, stage: str | None = None) -> None:
        super().__init__(message)
        self.stage = stage


class RuntimeVersionError(GradioError, ImportError):
    """A generated SDK was made for a runtime API this installation does not provide."""
