"""The event stream's decoder against a plain reading of the SSE format: any stream,
cut into chunks anywhere, decodes to the same messages (the decoder has a fast path for
whole one-line events and a general one for everything else)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gradio_codegen_runtime._sse import SSEDecoder

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
_DATA = st.one_of(
    st.dictionaries(st.sampled_from(["msg", "event_id", "output"]), _JSON, max_size=3).map(
        json.dumps
    ),
    _JSON.map(json.dumps),  # valid JSON, not always an object
    st.text(alphabet='{}[]":, abc\t', max_size=12),  # often not JSON at all
)
_LINE = st.one_of(
    _DATA.map(lambda d: "data: " + d),
    _DATA.map(lambda d: "data:" + d),
    st.sampled_from([": ping", "event: x", "id: 3", "retry: 10"]),
)


def _reference(stream: bytes) -> list[dict[str, Any]]:
    """The SSE format read line by line, as its specification puts it."""
    messages: list[dict[str, Any]] = []
    data: list[bytes] = []
    for line in stream.split(b"\n")[:-1]:
        line = line.removesuffix(b"\r")
        if not line:
            if data:
                raw = b"\n".join(data)
                data = []
                try:
                    message = json.loads(raw)
                except ValueError:
                    messages.append(
                        {"msg": "__malformed__", "raw": raw[:200].decode("utf-8", "replace")}
                    )
                    continue
                messages.append(
                    message
                    if isinstance(message, dict)
                    else {"msg": "__malformed__", "raw": repr(message)[:200]}
                )
        elif line.startswith(b"data:"):
            payload = line[5:]
            data.append(payload[1:] if payload.startswith(b" ") else payload)
    return messages


_NEWLINE = st.sampled_from(["\n", "\r\n"])


@settings(max_examples=400, deadline=None)
@given(
    events=st.lists(
        st.tuples(st.lists(st.tuples(_LINE, _NEWLINE), min_size=1, max_size=3), _NEWLINE),
        max_size=6,
    ),
    data=st.data(),
)
def test_any_chunking_decodes_like_the_format_says(
    events: list[tuple[list[tuple[str, str]], str]], data: st.DataObject
) -> None:
    text = "".join("".join(l + n for l, n in lines) + blank for lines, blank in events)
    stream = text.encode()
    # Cuts anywhere, and often right after a line: where the fast path could misread.
    ends = [i + 1 for i, byte in enumerate(stream) if byte == ord("\n")]
    anywhere = st.integers(min_value=0, max_value=len(stream))
    cuts = data.draw(st.lists(st.sampled_from(ends) | anywhere if ends else anywhere, max_size=8))
    points = sorted({0, len(stream), *cuts})
    decoder = SSEDecoder()
    decoded: list[dict[str, Any]] = []
    for start, end in zip(points, points[1:]):
        decoded += decoder.feed(stream[start:end])
    decoded += decoder.flush()
    assert decoded == _reference(stream)
