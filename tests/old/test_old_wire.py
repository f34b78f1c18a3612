"""The no-I/O parts of the old protocols: the per-job exchange, file payloads both
ways, and old /info normalized (no server)."""

from __future__ import annotations

from typing import Any

from gradio_codegen_runtime._core import JobCore
from gradio_codegen_runtime._old_info import FILE_DATA_SCHEMA, normalize_info
from gradio_codegen_runtime._old_jobs import answers, finished
from gradio_codegen_runtime._old_wire import PerJobExchange, from_wire, to_wire
from gradio_codegen_runtime.jobs import JobState
from gradio_codegen_runtime.schema import file_paths, is_file_schema

MARK = {"_type": "gradio.FileData"}


def test_ws_exchange_answers_hash_then_data() -> None:
    ex = PerJobExchange("ws", 3, "sh", [1, "a"])
    assert ex.feed({"msg": "send_hash"}) == {"fn_index": 3, "session_hash": "sh"}
    assert ex.feed({"msg": "estimation", "rank": 0, "queue_size": 1}) is None
    assert ex.feed({"msg": "send_data"}) == {
        "data": [1, "a"], "event_data": None, "fn_index": 3, "session_hash": "sh",
    }
    assert ex.feed({"msg": "process_starts"}) is None and not ex.done
    assert ex.feed({"msg": "process_completed", "output": {"data": [2]}}) is None
    assert ex.done
    assert ex.reset_body() == {"session_hash": "sh", "fn_index": 3}
    assert ex.feed(["not", "a", "message"]) is None


def test_sse_exchange_names_the_event() -> None:
    ex = PerJobExchange("sse", 0, "s h", [None])
    assert ex.join_query() == "fn_index=0&session_hash=s+h"
    assert ex.reset_body() is None  # not named yet: closing the stream drops it
    assert ex.feed({"msg": "send_hash"}) is None  # only 3.x asks for the hash
    body = ex.feed({"msg": "send_data", "event_id": "e1"})
    assert body == {
        "data": [None], "event_data": None, "fn_index": 0, "session_hash": "s h",
        "event_id": "e1",
    }
    assert ex.event_id == "e1" and ex.reset_body() == {"event_id": "e1"}
    assert ex.feed({"msg": "queue_full"}) is None and ex.done


def test_files_to_3x_and_back() -> None:
    sent = to_wire("ws", [
        {"path": "/tmp/u/a.txt", "orig_name": "a.txt", "size": 3, "meta": MARK},
        [{"path": "/tmp/u/b", "meta": MARK}], "plain", {"path": "no marker"},
    ])
    assert sent == [
        {"name": "/tmp/u/a.txt", "data": None, "is_file": True, "orig_name": "a.txt",
         "size": 3},
        [{"name": "/tmp/u/b", "data": None, "is_file": True}], "plain", {"path": "no marker"},
    ]
    # Other protocols send FileData as it is.
    assert to_wire("sse", [{"path": "p", "meta": MARK}]) == [{"path": "p", "meta": MARK}]
    got = from_wire("ws", [
        {"name": "/tmp/o/x.txt", "data": None, "is_file": True, "orig_name": "x.txt",
         "size": 5},
        {"name": "inline.txt", "data": "data:text/plain;base64,aGk=", "is_file": False},
        [{"name": "/tmp/o/y", "is_file": True}],
    ])
    assert got == [
        {"path": "/tmp/o/x.txt", "meta": MARK, "orig_name": "x.txt", "size": 5},
        {"name": "inline.txt", "data": "data:text/plain;base64,aGk=", "is_file": False},
        [{"path": "/tmp/o/y", "meta": MARK}],
    ]


def test_sse_outputs_get_the_file_marker() -> None:
    old = {"path": "/tmp/f", "url": None, "size": 2, "orig_name": "f", "mime_type": None,
           "is_stream": False}
    assert from_wire("sse", [old, {"path": "x", "label": "not a file"}]) == [
        {**old, "meta": MARK}, {"path": "x", "label": "not a file"},
    ]
    assert from_wire("ws", [old]) == [old]  # 3.x files are name/is_file dicts


def _info(param_type: Any) -> dict[str, Any]:
    entry = {"parameters": [{"label": "f", "type": param_type, "component": "File"}],
             "returns": []}
    return {"named_endpoints": {"/f": entry}, "unnamed_endpoints": {}}


def _param_schema(info: dict[str, Any]) -> Any:
    return info["named_endpoints"]["/f"]["parameters"][0]["type"]


def test_old_file_schemas_become_file_data() -> None:
    config = {"version": "3.50.2", "dependencies": [], "components": []}
    old_file = {"type": "object", "properties": {
        "name": {"type": "string"}, "data": {"type": "string"},
        "is_file": {"type": "boolean"}}}
    single = normalize_info(config, _info({"oneOf": [{"type": "string"}, old_file]}))
    assert _param_schema(single) == FILE_DATA_SCHEMA and is_file_schema(FILE_DATA_SCHEMA)
    many = normalize_info(config, _info(
        {"type": "array", "items": {"anyOf": [{"type": "string"}, old_file]}}
    ))
    assert file_paths(_param_schema(many)) == (("*",),)
    # 4.0-4.20: FileData without meta, also behind $defs.
    v4 = {"version": "4.7.1", "protocol": "sse", "dependencies": [], "components": []}
    no_meta = {"title": "FileData", "type": "object",
               "properties": {"path": {"type": "string"}, "url": {}}}
    listed = normalize_info(v4, _info(
        {"$defs": {"FileData": no_meta}, "items": {"$ref": "#/$defs/FileData"},
         "type": "array"}
    ))
    assert file_paths(_param_schema(listed)) == (("*",),)
    assert normalize_info(v4, _info({"type": "string"})) == _info({"type": "string"})


def test_3x_endpoints_from_config_alone() -> None:
    config = {
        "version": "3.20.0",
        "components": [
            {"id": 1, "type": "textbox", "props": {"label": "prompt"}},
            {"id": 2, "type": "state", "props": {}},
            {"id": 3, "type": "file", "props": {"label": "docs", "file_count": "multiple"}},
            {"id": 4, "type": "slider", "props": {"minimum": 0, "maximum": 9}},
        ],
        "dependencies": [
            {"api_name": "run", "inputs": [1, 2, 3], "outputs": [4], "backend_fn": True},
            {"api_name": None, "inputs": [1], "outputs": [1], "backend_fn": True},
            {"api_name": "js_only", "inputs": [1], "outputs": [1], "backend_fn": False},
        ],
    }
    info = normalize_info(config, {})
    assert list(info["named_endpoints"]) == ["/run"]
    run = info["named_endpoints"]["/run"]
    assert [(p["label"], p["component"]) for p in run["parameters"]] == [
        ("prompt", "Textbox"), ("docs", "File"),
    ]
    assert run["parameters"][1]["type"] == {"type": "array", "items": FILE_DATA_SCHEMA}
    assert run["returns"] == [{"label": "value_4", "type": {"type": "number"},
                               "component": "Slider"}]


def test_answers_sends_each_reply_before_its_message_reaches_the_job() -> None:
    """The drivers send what ``answers`` yields: the ``send_data`` reply goes out before
    the job sees the message (it names the job), and reading stops at the job's end."""
    core = JobCore(0, "sse", lambda raw: raw[0])
    job = JobState(core)
    exchange = PerJobExchange("sse", 0, "sh", [1])
    messages = iter([
        {"msg": "estimation", "rank": 0, "queue_size": 1},
        {"msg": "send_data", "event_id": "e1"},
        {"msg": "process_starts"},
        {"msg": "process_completed", "output": {"data": [2]}, "success": True},
        {"msg": "after the end"},
    ])
    sent = [(reply, core.event_id) for reply in answers(job, exchange, messages)]
    assert sent == [({"data": [1], "event_data": None, "fn_index": 0,
                      "session_hash": "sh", "event_id": "e1"}, None)]
    assert core.event_id == "e1" and core.done and finished(job, exchange)
    assert next(messages) == {"msg": "after the end"}  # not read past the job's end


def test_3x_releases_choose_routes_and_file_form() -> None:
    """/config's version picks 3.x's routes: inline files before 3.19 (no /upload),
    ``/api/predict`` before 3.9 (no ``/run/``); an unknown version keeps the newest."""
    from gradio_codegen_runtime._answers import ServerInfo
    from gradio_codegen_runtime._old_info import release_of
    from gradio_codegen_runtime._old_jobs import files_inline, inline_file
    from gradio_codegen_runtime.files import UploadFile

    assert release_of("3.14.0\n") == (3, 14, 0) and release_of("3.9") == (3, 9)
    assert release_of("3.1.4b2") == (3, 1, 4) and release_of("unknown") is None
    info = {v: ServerInfo.from_config({"version": v}) for v in ("3.14.0", "3.20.1", "x")}
    assert files_inline(info["3.14.0"]) and not files_inline(info["3.20.1"])
    assert not files_inline(info["x"])
    assert not files_inline(ServerInfo.from_config({"version": "4.7.1", "protocol": "sse"}))
    assert inline_file(UploadFile("a.txt", data=b"hi")) == {
        "name": "a.txt", "orig_name": "a.txt", "size": 2, "is_file": False,
        "data": "data:text/plain;base64,aGk=",
    }


def test_generating_messages_mark_a_generator() -> None:
    """3.x before 3.20 does not say which events are generators: the first
    ``process_generating`` does, so the completion's repeat of the last yield is
    not a new output."""
    core = JobCore(0, "ws", lambda raw: raw[0], False)
    for value in ("a", "b"):
        core.feed({"msg": "process_generating", "success": True, "output": {"data": [value]}})
    core.feed({"msg": "process_completed", "success": True, "output": {"data": ["b"]}})
    assert core.outputs == ["a", "b"] and core.result == "b" and core.done


def test_polled_queue_of_3_0_is_refused_clearly() -> None:
    """3.0-3.1.4 queue by HTTP polling (``/api/queue/push``): a queued event fails
    with a clear error before anything is sent; events without a queue still run."""
    import pytest

    from gradio_codegen_runtime._answers import ServerInfo
    from gradio_codegen_runtime._old_jobs import runner
    from gradio_codegen_runtime.errors import ProtocolError

    config = {"version": "3.1.4", "enable_queue": True,
              "dependencies": [{"queue": None}, {"queue": False}]}
    info = ServerInfo.from_config(config)
    with pytest.raises(ProtocolError, match="3.1.4, whose queue"):
        runner(info, PerJobExchange("ws", 0, "s", []))
    assert runner(info, PerJobExchange("ws", 1, "s", [])) == "post"
    later = ServerInfo.from_config({**config, "version": "3.1.5"})
    assert runner(later, PerJobExchange("ws", 0, "s", [])) == "ws"
