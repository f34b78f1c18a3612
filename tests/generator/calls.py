"""One table of calls per test app, used by the type-check and equivalence tests.

Each call is ``(method, args source, result check)``: ``args`` is Python source that
type-checks against every Gradio version's SDK of the app, and evaluates (with the
names in ``FILES`` bound to real files) to the same arguments for gradio_client.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["APP_CALLS", "Call", "FILES", "TYPED_CALLS", "usage_source"]

#: Names usable in ``args`` for files; the tests bind them to real paths.
FILES = ("TXT", "TXT2", "WAV")


@dataclass(frozen=True)
class Call:
    method: str
    api_name: str
    args: str
    #: A statement checking the result ``r`` with its precise type (type-checked only).
    check: str = ""
    #: Indices of file arguments / outputs (wrapped with handle_file, compared by content).
    file_args: tuple[int, ...] = ()
    file_list_args: tuple[int, ...] = ()


APP_CALLS: dict[str, tuple[Call, ...]] = {
    # Names in the app's own words (PEP 3131 identifiers).
    "gen_names": (
        Call("生成图片", "/生成图片", "'猫', 3", "_x: str = r.图片描述; _y: int = r.长度"),
        Call("画像を生成", "/画像を生成", "'ねこ', 2", "_x: str = r.出力テキスト; _y: float = r.合計"),
        Call("größe", "/größe", "3, 4.5", "_x: float = r.fläche; _y: float = r.umfang"),
    ),
    # In order: each update is made before the call that needs it (one session).
    "gen_dynamic": (
        Call("fill", "/fill", "", "_x = r"),
        Call("pick", "/pick", "'dog'", "_x: str = r"),
        Call("raise_limit", "/raise_limit", "", "_x = r"),
        Call("run", "/run", "500", "_x: str = r"),
        Call("more_sizes", "/more_sizes", "", "_x = r"),
        Call("order", "/order", "'XL'", "_x: str = r"),
        Call("paint", "/paint", "'green', 0.5", "_x: str = r"),
        Call("rate", "/rate", "3", "_x = r.more_stars; _y: str = r.said"),
    ),
    "calc": (
        Call("predict", "/predict", "4, 'add', 5", "_x: float = r"),
        Call("predict", "/predict", "3.5, 'divide', 2", "_x: float = r"),
    ),
    "whisper_demo": (Call("predict", "/predict", "WAV", "_x: str = r", file_args=(0,)),),
    "gen_components": (
        Call("endpoint_2nd_step", "/2nd step", "'x'", "_x: str = r"),
        Call(
            "basics", "/basics", "'hi \"q\"', 3, 2.5, True, 'red', 'huge', ['a', 'c'], ['x'], 3",
            "_x: str = r",
        ),
        Call("class_", "/class", "'k'", "_x: str = r"),
        Call("classify", "/classify", "'good'", "_x = r.get('label')"),
        Call("count_down", "/count-down", "3", "_x: int = r"),
        Call(
            "echo_files", "/echo files", "TXT, [TXT2, TXT]",
            "_x: FileRef = r.same_file; _y: list[FileRef] = r.all_files",
            file_args=(0,), file_list_args=(1,),
        ),
        Call("gallery", "/gallery", "2", "_x = len(r)"),
        Call("größe", "/größe", "", "_x: str = r"),
        Call("highlight", "/highlight", "'a b c'", "_x: str = r[0]['token']"),
        Call("multimodal", "/multimodal", "{'text': 'hi', 'files': []}", "_x: str = r"),
        Call("respond", "/respond", "'hello'", "_x: str = r[0]['role']"),
        Call("sketch", "/sketch", "{'background': None, 'layers': [], 'composite': None}",
             "_x: str = r"),
        Call("table", "/table", "{'headers': ['a', 'b'], 'data': [[1, 'x'], [2, 'y']]}",
             "_x = r['data']"),
        Call("text_stats", "/text-stats", "'a b c'",
             "_x: int = r.length; _y: str = r.upper; _z = r.summary"),
        Call("text_stats_2", "/text_stats", "'plain'", "_x: str = r"),
    ),
}


#: Calls that are type-checked only (gradio_client cannot make them: streaming).
STREAM_CALLS: dict[str, tuple[Call, ...]] = {
    "stream_in": (
        Call("listen", "/listen", "[(16000, [0, 1, 2]), (8000, b'\\x00\\x00'), WAV]",
             "_x: str = r"),
        Call("look", "/look", "[TXT2, TXT]", "_x: str = r"),
    ),
    "stream_out": (
        Call("beeps", "/beeps", "3", "_x: FileRef = r; _y = r.segments()"),
        Call("endless", "/endless", "", "_x = r.save"),
    ),
}
TYPED_CALLS = {**APP_CALLS, **STREAM_CALLS}


def usage_source(package: str, app: str) -> str:
    """A module calling every endpoint four ways: module function, ``Client`` method,
    ``Client().submit.<name>(...).result()`` and ``AsyncClient`` (call and submit)."""
    lines = [
        "from __future__ import annotations",
        "",
        f"import {package}",
        f"from {package} import AsyncClient, Client, FileRef",
        "",
        "TXT = 'a.txt'",
        "TXT2 = b'raw bytes'",
        "WAV = 'a.wav'",
        "_REF: type[FileRef] = FileRef",
        "",
        "",
        "def options() -> tuple[Client, AsyncClient]:",
        "    return (",
        "        Client(verify=True, max_download_size=1 << 30, stream_timeout=120.0),",
        "        AsyncClient(max_download_size=None, stream_timeout=None),",
        "    )",
    ]
    for i, call in enumerate(TYPED_CALLS[app]):
        forms = {
            f"def mod_{i}() -> None:": f"r = {package}.{call.method}({call.args})",
            f"def client_{i}(app: Client) -> None:": f"r = app.{call.method}({call.args})",
            f"def job_{i}(app: Client) -> None:":
                f"r = app.submit.{call.method}({call.args}).result(timeout=60)",
            f"async def acall_{i}(app: AsyncClient) -> None:":
                f"r = await app.{call.method}({call.args})",
            f"async def ajob_{i}(app: AsyncClient) -> None:":
                f"r = await (await app.submit.{call.method}({call.args})).result(timeout=60)",
        }
        for head, body in forms.items():
            lines += ["", "", head, f"    {body}", f"    {call.check}"]
    return "\n".join(lines) + "\n"
