"""Sweep many Gradio apps: generate each one's SDK, call it, compare with gradio_client.

    python scripts/sweep_apps.py APPS_DIR --server-python PY -o OUT [--list FILE] [--jobs 2]

APPS_DIR holds one folder per app with a ``run.py`` defining ``demo``. For each app the
sweep starts it on 127.0.0.1 with PY (a Python where gradio and gradio_client are
installed; the app's folder is the working directory), generates its SDK with this
checkout's generator, imports the SDK and calls every named endpoint with the examples
the app's ``/info`` gives (file examples become local files), and calls the same
endpoints with gradio_client in PY. Files are compared by content.

Each endpoint gets a class: ``ok``, ``validation`` (the SDK refused an input the app
accepted), ``call_error`` (the SDK failed where gradio_client succeeded), ``mismatch``
(different outputs), ``type_misfit`` (the same output, but not of the type the SDK
declares; ``update_dict`` when it is a ``gr.update`` dict), ``nondeterministic`` (the
app answers differently run to run), ``both_failed`` (the app refuses its own example),
``sdk_only_ok`` (gradio_client failed), ``missing`` (the SDK lacks the endpoint;
``missing_both``: gradio_client cannot call it either). Apps that fail earlier get
``start_failed``, ``generator_crash`` or ``import_error``. Then ``mypy --strict`` and
strict pyright check the SDKs in batches.
Results: OUT/results.jsonl (one app a line), OUT/mypy.json, OUT/pyright.json and
OUT/summary.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import wave
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

#: Runs in the app's Gradio environment: run.py as its own script would (its
#: ``__main__`` block included), with ``launch`` kept on loopback and the given port;
#: a run.py that never launches has its ``demo`` launched.
SERVE = r"""
import os, runpy, sys
import gradio as gr
app_dir, port = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, app_dir)
os.chdir(app_dir)
launched = []
original = gr.Blocks.launch

def launch(self, *args, **kwargs):
    kwargs.update(server_name="127.0.0.1", server_port=port, share=False, quiet=True,
                  show_error=True, inbrowser=False, prevent_thread_lock=True)
    launched.append(self)
    return original(self, *args, **kwargs)

gr.Blocks.launch = launch
namespace = runpy.run_path(os.path.join(app_dir, "run.py"), run_name="__main__")
if not launched:
    demo = namespace.get("demo")
    if demo is None:
        sys.exit("run.py defines no 'demo' and launches nothing")
    demo.launch()
launched[0].block_thread()
"""

#: Digest of a value: files (FileRef or a path gradio_client downloaded) by content.
DIGEST = r"""
import hashlib, os

def _sha(data):
    return {"sha256": hashlib.sha256(data).hexdigest()}

def digest(value):
    if type(value).__name__ in ("FileRef", "MediaStream") and hasattr(value, "read_bytes"):
        return _sha(value.read_bytes())
    if isinstance(value, str) and os.path.isabs(value) and os.path.isfile(value):
        with open(value, "rb") as f:
            return _sha(f.read())
    if isinstance(value, (list, tuple)):
        return [digest(v) for v in value]
    if isinstance(value, dict):
        return {str(k): digest(v) for k, v in value.items()}
    if isinstance(value, float) and value == int(value) and abs(value) < 2**53:
        return int(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)
"""

#: Runs in this checkout's Python: import the SDK, call each endpoint by keyword.
SDK_CHILD = DIGEST + r"""
import importlib, json, sys, traceback
sdk_root, package, url, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
calls = json.loads(sys.stdin.read())
sys.path.insert(0, sdk_root)
try:
    sdk = importlib.import_module(package)
    from gradio_codegen_runtime import AppError, ValidationError
    endpoints = importlib.import_module(package + "._client").ENDPOINTS
except BaseException:
    print(json.dumps({"import_error": traceback.format_exc()}))
    sys.exit(0)

def unfile(value):
    if isinstance(value, dict) and set(value) == {"__file__"}:
        return value["__file__"]
    if isinstance(value, list):
        return [unfile(v) for v in value]
    if isinstance(value, dict):
        return {k: unfile(v) for k, v in value.items()}
    return value

import collections.abc, types, typing
client_module = importlib.import_module(package + "._client")

def misfit(value, hint, path="result"):
    # where value does not fit the type hint the SDK declares (None: it fits)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is typing.Any or isinstance(hint, (typing.ForwardRef, str)):
        return None  # Any, or JSONValue's recursive branches
    if hint is None or hint is type(None):
        return None if value is None else f"{path}: None expected, got {type(value).__name__}"
    if origin in (typing.Union, types.UnionType):
        found = [misfit(value, a, path) for a in args]
        return None if None in found else min(found, key=len)
    if origin is typing.Literal:
        return None if value in args else f"{path}: one of {args} expected, got {value!r:.60}"
    if typing.is_typeddict(hint):
        if not isinstance(value, dict):
            return f"{path}: {hint.__name__} (a dict) expected, got {type(value).__name__}"
        fields = typing.get_type_hints(hint)
        # __required_keys__ misses NotRequired under postponed annotations (3.10, 3.11)
        raw = {k: getattr(v, "__forward_arg__", v) for k, v in hint.__annotations__.items()}
        required = {k for k, v in raw.items() if not str(v).startswith(("NotRequired[",
                    "typing_extensions.NotRequired["))} & set(hint.__required_keys__)
        for key in required - value.keys():
            return f"{path}: {hint.__name__} without its key {key!r} (keys: {sorted(value)})"
        for key, item in value.items():
            if key not in fields:
                return f"{path}: {hint.__name__} has no key {key!r}"
            found = misfit(item, fields[key], f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(hint, type) and issubclass(hint, tuple) and hasattr(hint, "_fields"):
        if not isinstance(value, hint):
            return f"{path}: {hint.__name__} expected, got {type(value).__name__}"
        fields = typing.get_type_hints(hint)
        for name in hint._fields:
            found = misfit(getattr(value, name), fields[name], f"{path}.{name}")
            if found:
                return found
        return None
    if origin in (list, collections.abc.Sequence):
        if not isinstance(value, (list, tuple)):
            return f"{path}: list expected, got {type(value).__name__} {value!r:.60}"
        for i, item in enumerate(value):
            found = misfit(item, args[0], f"{path}[{i}]") if args else None
            if found:
                return found
        return None
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            return f"{path}: tuple expected, got {type(value).__name__}"
        items = args if not (len(args) == 2 and args[1] is Ellipsis) else [args[0]] * len(value)
        if len(items) != len(value):
            return f"{path}: {len(items)} items expected, got {len(value)}"
        for i, (item, sub) in enumerate(zip(value, items)):
            found = misfit(item, sub, f"{path}[{i}]")
            if found:
                return found
        return None
    if origin in (dict, collections.abc.Mapping):
        if not isinstance(value, dict):
            return f"{path}: dict expected, got {type(value).__name__} {value!r:.60}"
        for key, item in value.items():
            found = misfit(item, args[1], f"{path}[{key!r}]") if args else None
            if found:
                return found
        return None
    if hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(hint, type):
        ok = isinstance(value, hint)
    else:
        return None
    return None if ok else f"{path}: {getattr(hint, '__name__', hint)} expected, got {type(value).__name__} {value!r:.60}"

def declared(method):
    text = getattr(sdk.Client, method).__annotations__.get("return", "Any")
    return eval(text, vars(client_module)) if isinstance(text, str) else text

by_api = {"/" + ep.api_name: (method, ep) for method, ep in endpoints.items()}
out = []
with sdk.Client(url, stream_timeout=timeout) as client:
    for api_name, args in calls:
        if api_name not in by_api:
            out.append({"class": "missing"})
            continue
        method, ep = by_api[api_name]
        names = {p.wire_name or p.name: p.name for p in ep.params}
        unknown = [k for k in args if k not in names]
        if unknown:
            out.append({"class": "param_unknown", "detail": f"/info params {unknown} not in {sorted(names)}"})
            continue
        kwargs = {names[k]: unfile(v) for k, v in args.items()}
        if ep.stream is not None:  # a streamed input takes chunks: the example is one
            streamed = ep.params[ep.stream.param].name
            if streamed in kwargs:
                kwargs[streamed] = [kwargs[streamed]]
        try:
            value = getattr(client.submit, method)(**kwargs).result(timeout=timeout)
            try:
                wrong = misfit(value, declared(method))
            except Exception:
                wrong = "cannot check: " + traceback.format_exc()[-300:]
            out.append({"class": "ok", "value": digest(value), "method": method, "misfit": wrong})
        except ValidationError:
            out.append({"class": "validation", "detail": traceback.format_exc(), "method": method})
        except AppError:
            out.append({"class": "app_error", "detail": traceback.format_exc(), "method": method})
        except BaseException:
            out.append({"class": "error", "detail": traceback.format_exc(), "method": method})
print(json.dumps(out))
"""

#: Runs in the app's Gradio environment: the same calls through gradio_client.
GC_CHILD = DIGEST + r"""
import json, sys, traceback
from gradio_client import Client
try:
    from gradio_client import handle_file
except ImportError:
    handle_file = lambda path: path
url, timeout = sys.argv[1], float(sys.argv[2])
calls = json.loads(sys.stdin.read())

def inflate(value):
    if isinstance(value, dict) and set(value) == {"__file__"}:
        return handle_file(value["__file__"])
    if isinstance(value, list):
        return [inflate(v) for v in value]
    if isinstance(value, dict):
        return {k: inflate(v) for k, v in value.items()}
    return value

client = Client(url, verbose=False)
out = []
for api_name, args in calls:
    try:
        kwargs = {k: inflate(v) for k, v in args.items()}
        value = client.submit(api_name=api_name, **kwargs).result(timeout=timeout)
        out.append({"class": "ok", "value": digest(value)})
    except BaseException as exc:
        out.append({"class": "error", "detail": "".join(traceback.format_exception_only(type(exc), exc))[-2000:]})
print(json.dumps(out))
"""

FILE_TYPES = ("gradio.FileData",)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except http.client.HTTPException as exc:  # a server dying mid-answer
        raise OSError(f"{url}: {exc!r}") from exc


# -- sample files for file examples ------------------------------------------------------


def _png(path: Path, size: int = 16) -> None:
    raw = b"".join(b"\x00" + b"".join(bytes((x * 15 % 256, y * 15 % 256, 99)) for x in range(size))
                   for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _wav(path: Path) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"".join(((i * 37) % 2000 - 1000).to_bytes(2, "little", signed=True)
                                 for i in range(16000)))


def _pdf(path: Path) -> None:
    path.write_bytes(b"%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages"
                     b"/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox"
                     b"[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


class SampleFiles:
    """Local files standing in for the URLs of file examples, made once per name."""

    def __init__(self, root: Path, asset_dirs: list[Path], ffmpeg: str | None) -> None:
        self.root = root
        self.assets = asset_dirs
        self.ffmpeg = ffmpeg
        self.lock = threading.Lock()
        root.mkdir(parents=True, exist_ok=True)

    def get(self, url: str) -> str:
        name = re.sub(r"[^A-Za-z0-9._-]", "_", url.rstrip("/").rsplit("/", 1)[-1].split("?")[0])
        name = name or "file.bin"
        with self.lock:
            path = self.root / name
            if not path.exists():
                self._make(url, path)
            return str(path)

    def _make(self, url: str, path: Path) -> None:
        if url.startswith(("http://", "https://")):
            try:
                status, data = http_get(url, timeout=5.0)
                if status == 200 and data:
                    path.write_bytes(data)
                    return
            except OSError:
                pass
        for folder in self.assets:
            found = next(iter(folder.rglob(path.name)), None) if folder.is_dir() else None
            if found is not None:
                shutil.copyfile(found, path)
                return
        suffix = path.suffix.lower()
        if suffix in (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp"):
            png = path.with_suffix(".png")
            _png(png)
            if png != path:
                png.rename(path)  # browsers and PIL sniff the content, not the name
        elif suffix in (".wav", ".mp3", ".flac", ".ogg"):
            _wav(path)
        elif suffix == ".pdf":
            _pdf(path)
        elif suffix in (".mp4", ".webm", ".mov", ".avi") and self.ffmpeg:
            subprocess.run([self.ffmpeg, "-loglevel", "error", "-f", "lavfi", "-i",
                            "testsrc=duration=1:size=64x64:rate=10", "-pix_fmt", "yuv420p",
                            str(path)], check=False, timeout=60)
        if not path.exists():
            path.write_text("sample file\n")


def translate(value: Any, files: SampleFiles) -> Any:
    """An /info example as sweep calls take it: FileData dicts become ``{"__file__": path}``."""
    if isinstance(value, dict):
        meta = value.get("meta")
        if isinstance(meta, dict) and meta.get("_type") in FILE_TYPES:
            return {"__file__": files.get(str(value.get("url") or value.get("path") or ""))}
        return {k: translate(v, files) for k, v in value.items()}
    if isinstance(value, list):
        return [translate(v, files) for v in value]
    return value


def example_calls(info: dict[str, Any], files: SampleFiles) -> list[list[Any]]:
    """One call per named endpoint: each parameter's example (or default, or None)."""
    calls: list[list[Any]] = []
    for api_name, endpoint in (info.get("named_endpoints") or {}).items():
        args: dict[str, Any] = {}
        for index, param in enumerate(endpoint.get("parameters") or []):
            key = param.get("parameter_name") or param.get("label") or f"arg{index}"
            if "example_input" in param and param["example_input"] is not None:
                args[key] = translate(param["example_input"], files)
            elif param.get("parameter_has_default"):
                continue
            else:
                args[key] = None
        calls.append([api_name, args])
    return calls


# -- one app -----------------------------------------------------------------------------


class Sweep:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.out = Path(args.output).resolve()
        self.sdks = self.out / "sdks"
        self.sdks.mkdir(parents=True, exist_ok=True)
        assets = [Path(p) for p in args.assets]
        probe = subprocess.run(
            [args.server_python, "-c", "import gradio, os; print(os.path.dirname(gradio.__file__))"],
            capture_output=True, text=True, timeout=120,
        )
        if probe.returncode == 0:
            assets.append(Path(probe.stdout.strip()) / "media_assets")
        self.files = SampleFiles(self.out / "files", assets, args.ffmpeg or shutil.which("ffmpeg"))
        self.servers: set[subprocess.Popen[bytes]] = set()
        self.servers_lock = threading.Lock()

    def env(self, workdir: Path, port: int | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADIO_", "HF_"))}
        env.update(GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1",
                   HF_HUB_DISABLE_TELEMETRY="1", GRADIO_TEMP_DIR=str(workdir / "gtmp"),
                   PYTHONUNBUFFERED="1", MPLBACKEND="Agg", NO_PROXY="127.0.0.1,localhost",
                   no_proxy="127.0.0.1,localhost")
        if port is not None:
            env.update(GRADIO_SERVER_PORT=str(port), GRADIO_SERVER_NAME="127.0.0.1")
        if self.args.server_path:
            env["PATH"] = self.args.server_path + os.pathsep + env.get("PATH", "")
        return env

    def run_app(self, app_dir: Path) -> dict[str, Any]:
        name = app_dir.name
        record: dict[str, Any] = {"app": name}
        workdir = Path(tempfile.mkdtemp(prefix=f"sweep-{name}-"))
        port = free_port()
        log_path = workdir / "server.log"
        started = time.monotonic()
        with open(log_path, "wb") as log:
            server = subprocess.Popen(
                [self.args.server_python, "-c", SERVE, str(app_dir.resolve()), str(port)],
                cwd=app_dir, env=self.env(workdir, port), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        with self.servers_lock:
            self.servers.add(server)
        try:
            url = f"http://127.0.0.1:{port}"
            problem = self.wait_ready(server, url)
            if problem:
                record.update(status="start_failed", detail=problem + "\n" + tail(log_path))
                return record
            record["start_s"] = round(time.monotonic() - started, 1)
            self.sweep_app(name, url, workdir, record)
            if record.get("status") == "generator_crash" and server.poll() is not None:
                record.update(status="start_failed", detail="exited after it answered /config\n"
                              + tail(log_path) + "\n" + record["detail"])
            return record
        finally:
            stop(server)
            with self.servers_lock:
                self.servers.discard(server)
            shutil.rmtree(workdir, ignore_errors=True)

    def wait_ready(self, server: subprocess.Popen[bytes], url: str) -> str | None:
        deadline = time.monotonic() + self.args.start_timeout
        while time.monotonic() < deadline:
            if server.poll() is not None:
                return f"exited with {server.returncode}"
            try:
                status, _ = http_get(url + "/config", timeout=2.0)
                if status == 200:
                    return None
            except OSError:
                pass
            time.sleep(0.25)  # readiness polling under a deadline
        return f"not ready after {self.args.start_timeout} s"

    def sweep_app(self, name: str, url: str, workdir: Path, record: dict[str, Any]) -> None:
        info = None
        for prefix in ("/gradio_api", ""):
            try:
                status, body = http_get(f"{url}{prefix}/info", timeout=30.0)
            except OSError:
                continue
            if status == 200:
                info = json.loads(body)
                break
        if info is None:
            record.update(status="start_failed", detail="no /info")
            return
        package = "s_" + re.sub(r"\W", "_", name, flags=re.ASCII).lower()
        target = self.sdks / package
        shutil.rmtree(target, ignore_errors=True)
        gen = subprocess.run(
            [sys.executable, "-m", "gradio_codegen", url, "-o", str(target), "--name", package],
            capture_output=True, text=True, timeout=300, env=self.env(workdir),
        )
        record["package"] = package
        if gen.returncode != 0:
            record.update(status="generator_crash", detail=(gen.stderr + gen.stdout)[-6000:])
            shutil.rmtree(target, ignore_errors=True)
            return
        warnings = [line for line in gen.stderr.splitlines() if "warning" in line]
        if warnings:
            record["warnings"] = warnings
        calls = example_calls(info, self.files)
        returns = [len(info["named_endpoints"][c[0]].get("returns") or ()) for c in calls]
        record["endpoints"] = [c[0] for c in calls]
        if not calls:
            record["status"] = "no_endpoints"
            return
        sdk_argv = [sys.executable, "-c", SDK_CHILD, str(self.sdks), package, url,
                    str(self.args.call_timeout)]
        gc_argv = [self.args.server_python, "-c", GC_CHILD, url, str(self.args.call_timeout)]
        ours = self.child(sdk_argv, calls, workdir)
        if isinstance(ours, dict):
            record.update(status="import_error", detail=ours.get("import_error") or ours.get("crash"))
            return
        theirs = self.child(gc_argv, calls, workdir)
        if isinstance(theirs, dict):
            theirs = [{"class": "error", "detail": theirs.get("crash", "")}] * len(calls)
        reruns: list[list[dict[str, Any]]] | None = None
        results = []
        for index, (call, mine, ref) in enumerate(zip(calls, ours, theirs)):
            cls = classify(mine, ref, returns[index])
            if cls == "mismatch":
                if reruns is None:  # state and randomness: run both sides once more
                    reruns = [self.child(argv, calls, workdir) for argv in (sdk_argv, gc_argv)]
                    reruns = [r if isinstance(r, list) else [] for r in reruns]
                sdk2, gc2 = (r[index].get("value") if index < len(r) else None for r in reruns)
                sdk_values, gc_values = (mine.get("value"), sdk2), (ref.get("value"), gc2)
                if any(same(a, b) for a in sdk_values for b in gc_values) or (
                        not same(*gc_values)
                        and any(shape(a) == shape(b) for a in sdk_values for b in gc_values)):
                    cls = "nondeterministic"  # the app answers differently each time
                if cls == "nondeterministic" and mine.get("misfit"):
                    cls = misfit_class(mine)
            entry: dict[str, Any] = {"api_name": call[0], "class": cls, "method": mine.get("method")}
            if cls != "ok":
                entry["args"] = call[1]
                entry["sdk"] = mine
                entry["gc"] = ref
            results.append(entry)
        record["results"] = results
        record["status"] = "swept"

    def child(self, argv: list[str], calls: list[list[Any]], workdir: Path) -> Any:
        budget = self.args.call_timeout * max(1, len(calls)) + 60
        try:
            proc = subprocess.run(argv, input=json.dumps(calls), capture_output=True, text=True,
                                  timeout=budget, env=self.env(workdir), cwd=workdir)
        except subprocess.TimeoutExpired:
            return {"crash": f"timed out after {budget} s"}
        lines = proc.stdout.strip().splitlines()
        try:
            return json.loads(lines[-1])
        except (IndexError, json.JSONDecodeError):
            return {"crash": f"exit {proc.returncode}: {proc.stderr[-4000:]}"}


def classify(mine: dict[str, Any], ref: dict[str, Any], returns: int) -> str:
    ours, theirs = mine.get("class"), ref.get("class")
    if ours == "missing" and theirs != "ok":
        return "missing_both"  # gradio_client cannot call it either
    if ours in ("missing", "param_unknown"):
        return str(ours)
    if ours == "ok" and theirs == "ok":
        if returns == 0 and mine.get("value") is None and ref.get("value") in ([], None):
            return "ok"  # no outputs: the SDK returns None, gradio_client an empty tuple
        if not same(mine.get("value"), ref.get("value")):
            return "mismatch"
        return misfit_class(mine)
    if ours == "ok":
        return "sdk_only_ok"
    if theirs != "ok":
        return "both_failed"
    return "validation" if ours == "validation" else "call_error"


def misfit_class(mine: dict[str, Any]) -> str:
    """``ok``, or the kind of misfit between an SDK result and its declared type: a
    ``gr.update(...)`` dict where the component's value is declared is a known limit."""
    if not mine.get("misfit"):
        return "ok"
    return "update_dict" if '"__type__": "update"' in json.dumps(mine.get("value")) else (
        "type_misfit")


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


def shape(value: Any) -> Any:
    """The structure of a digested value: types and keys, not contents or lengths."""
    if isinstance(value, dict):
        return tuple(sorted((k, shape(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", tuple(sorted({repr(shape(v)) for v in value})))
    return "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else type(
        value).__name__


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, 15)
            process.wait(timeout=10)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            try:
                os.killpg(process.pid, 9)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)


def tail(path: Path, size: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""


# -- mypy over the generated SDKs --------------------------------------------------------


def run_mypy(sdks: Path, packages: list[str], batch: int) -> dict[str, list[str]]:
    """``mypy --strict`` over the SDKs, ``batch`` packages a run: errors per package."""
    errors: dict[str, list[str]] = {p: [] for p in packages}
    for start in range(0, len(packages), batch):
        group = packages[start:start + batch]
        argv = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                "--cache-dir", str(sdks.parent / ".mypy_cache")]
        for package in group:
            argv += ["-p", package]
        proc = subprocess.run(argv, capture_output=True, text=True, cwd=sdks, timeout=1800)
        for line in proc.stdout.splitlines():
            first = line.split("/", 1)[0].split(":", 1)[0]
            if first in errors and ": error:" in line:
                errors[first].append(line)
            elif ": error:" in line and not any(line.startswith(p) for p in group):
                for package in group:
                    errors[package].append("(batch) " + line)
        if proc.returncode not in (0, 1):
            for package in group:
                errors[package].append(f"mypy exited {proc.returncode}: {proc.stderr[-500:]}")
    return errors


def run_pyright(sdks: Path, packages: list[str], batch: int) -> dict[str, list[str]]:
    """pyright (strict) over the SDKs, ``batch`` packages a run: errors per package."""
    (sdks / "pyrightconfig.json").write_text(json.dumps(
        {"typeCheckingMode": "strict", "pythonVersion": "3.10", "reportMissingModuleSource": False}))
    pyright = Path(sys.executable).with_name("pyright")
    errors: dict[str, list[str]] = {p: [] for p in packages}
    for start in range(0, len(packages), batch):
        group = packages[start:start + batch]
        proc = subprocess.run([str(pyright), "--pythonpath", sys.executable, "--outputjson", *group],
                              capture_output=True, text=True, cwd=sdks, timeout=1800)
        try:
            report = json.loads(proc.stdout)
        except json.JSONDecodeError:
            for package in group:
                errors[package].append(f"pyright exited {proc.returncode}: {proc.stderr[-500:]}")
            continue
        for diag in report.get("generalDiagnostics", ()):
            if diag.get("severity") != "error":
                continue
            rel = os.path.relpath(diag.get("file", ""), sdks)
            line = diag.get("range", {}).get("start", {}).get("line", 0) + 1
            errors.setdefault(rel.split(os.sep, 1)[0], []).append(
                f"{rel}:{line}: {diag.get('message')}")
    return errors


# -- summary -----------------------------------------------------------------------------


def summarize(records: list[dict[str, Any]], mypy: dict[str, list[str]],
              pyright: dict[str, list[str]]) -> str:
    apps = Counter(r.get("status") for r in records)
    endpoints = Counter(e["class"] for r in records for e in r.get("results", ()))
    lines = ["# Sweep summary", "", f"{len(records)} apps", "", "| app status | apps |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(apps.items(), key=lambda kv: -kv[1])]
    lines += ["", "| endpoint class | endpoints | apps |", "|---|---|---|"]
    for cls, count in sorted(endpoints.items(), key=lambda kv: -kv[1]):
        napps = sum(1 for r in records if any(e["class"] == cls for e in r.get("results", ())))
        lines.append(f"| {cls} | {count} | {napps} |")
    for tool, errors in (("mypy --strict", mypy), ("pyright strict", pyright)):
        failing = sum(1 for errs in errors.values() if errs)
        lines += ["", f"{tool}: {failing} of {len(errors)} SDKs with errors "
                  f"({sum(len(v) for v in errors.values())} errors)"]
    return "\n".join(lines) + "\n"


def sweep_all(sweep: Sweep, pool: concurrent.futures.Executor, apps: list[Path],
              results_path: Path, records: list[dict[str, Any]]) -> None:
    """Sweep ``apps`` on ``pool``, appending each record to ``results_path`` as it ends."""
    with open(results_path, "w", encoding="utf-8") as results:
        futures = {pool.submit(sweep.run_app, app): app.name for app in apps}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            name = futures[future]
            try:
                record = future.result()
            except Exception as exc:  # the sweep goes on; the record says what broke
                record = {"app": name, "status": "sweep_error", "detail": repr(exc)}
            records.append(record)
            results.write(json.dumps(record) + "\n")
            results.flush()
            classes = Counter(e["class"] for e in record.get("results", ()))
            print(f"[{done}/{len(apps)}] {name}: {record.get('status')} {dict(classes)}", flush=True)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM: stop the servers on the way out, as Ctrl-C does


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("apps_dir", help="folder of app folders, each with run.py")
    parser.add_argument("--server-python", required=True, help="Python with gradio installed")
    parser.add_argument("-o", "--output", required=True, help="folder for results and SDKs")
    parser.add_argument("--list", help="file naming the app folders to sweep, one a line")
    parser.add_argument("--only", nargs="*", default=(), help="app folder names to sweep")
    parser.add_argument("--jobs", type=int, default=2, help="apps swept at once (default 2)")
    parser.add_argument("--start-timeout", type=float, default=90.0)
    parser.add_argument("--call-timeout", type=float, default=60.0)
    parser.add_argument("--mypy-batch", type=int, default=40,
                        help="SDKs per mypy run, twice as many per pyright run (0: neither)")
    parser.add_argument("--server-path", help="folder prepended to the servers' PATH (ffmpeg)")
    parser.add_argument("--ffmpeg", help="ffmpeg used to make sample videos")
    parser.add_argument("--assets", nargs="*", default=(),
                        help="folders searched for sample files by name")
    args = parser.parse_args(argv)

    root = Path(args.apps_dir)
    names = sorted(p.name for p in root.iterdir() if (p / "run.py").is_file())
    if args.list:
        wanted = [n.strip() for n in Path(args.list).read_text().splitlines() if n.strip()]
        names = [n for n in wanted if (root / n / "run.py").is_file()]
    if args.only:
        names = [n for n in names if n in set(args.only)]
    signal.signal(signal.SIGTERM, _interrupt)
    sweep = Sweep(args)
    results_path = sweep.out / "results.jsonl"
    records: list[dict[str, Any]] = []
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
    try:
        sweep_all(sweep, pool, [root / n for n in names], results_path, records)
    finally:  # Ctrl-C or a crash: no server outlives the sweep
        pool.shutdown(wait=False, cancel_futures=True)
        with sweep.servers_lock:
            for server in list(sweep.servers):
                stop(server)
    packages = sorted(r["package"] for r in records
                      if r.get("package") and (sweep.sdks / r["package"]).is_dir())
    mypy = run_mypy(sweep.sdks, packages, args.mypy_batch) if args.mypy_batch else {}
    (sweep.out / "mypy.json").write_text(json.dumps(mypy, indent=1))
    pyright = run_pyright(sweep.sdks, packages, args.mypy_batch * 2) if args.mypy_batch else {}
    (sweep.out / "pyright.json").write_text(json.dumps(pyright, indent=1))
    summary = summarize(records, mypy, pyright)
    (sweep.out / "summary.md").write_text(summary)
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
