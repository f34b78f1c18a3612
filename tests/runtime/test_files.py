"""Files: every input form, single and multiple files, Image/Audio, the app's size
limit checked before uploading, and lazy FileRef outputs with safe downloads."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import struct
import wave
import zlib
from pathlib import Path

import pytest

from gradio_codegen_runtime import AsyncClient, Client, FileRef, ValidationError
from gradio_codegen_runtime._inputs import collect, substitute

from .conftest import Recorder

LIMIT = 200_000  # MAX_FILE_SIZE of tests/apps/rt_calls.py


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes([x * 60, 100, 200]) * 4 for x in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def wav_file(path: Path) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x10" * 800)
    return path


def test_every_input_form(calls_url: str, tmp_path: Path) -> None:
    src = tmp_path / "notes.txt"
    src.write_bytes(b"hello file")
    with Client(calls_url) as app:
        assert app.predict("/file_meta", str(src)) == "notes.txt|10"
        assert app.predict("/file_meta", src) == "notes.txt|10"
        assert app.predict("/file_meta", b"12345").endswith("|5")
        with open(src, "rb") as fh:
            assert app.predict("/file_meta", fh) == "notes.txt|10"
        assert app.predict("/file_meta", io.BytesIO(b"abc")).endswith("|3")
        with pytest.raises(ValidationError) as missing:
            app.predict("/file_meta", str(tmp_path / "absent.txt"))
        assert missing.value.parameter == "f"
        with pytest.raises(ValidationError):
            app.predict("/file_meta", 42)


def test_url_input_wire_form(calls_url: str) -> None:
    """URL inputs are sent as FileData for the server to fetch (nothing uploaded);
    checked on the wire data only, so no test ever reaches the internet."""
    with Client(calls_url) as app:
        endpoint = app._endpoint("/file_meta")
        url = "https://example.com/data/report.pdf?sig=1"
        pending = collect(endpoint, endpoint.check([url]))
        assert pending.uploads == []
        (wire,) = endpoint.layout(substitute(pending, []))
        assert wire == {"path": url, "url": url, "orig_name": "report.pdf",
                        "meta": {"_type": "gradio.FileData"}}


def test_outputs_download_and_pass_back(calls_url: str, tmp_path: Path) -> None:
    payload = bytes(range(256)) * 40
    recorder = Recorder()
    with Client(calls_url, transport=recorder) as app:
        ref = app.predict("/file_echo", payload)
        assert isinstance(ref, FileRef) and ref.size == len(payload)
        assert ref.read_bytes() == payload
        saved = ref.download(tmp_path / "out")
        assert saved.parent == (tmp_path / "out").resolve() and saved.read_bytes() == payload
        uploads = len(recorder.paths("/upload"))
        # A FileRef from this app goes back as an input without uploading again.
        assert app.predict("/file_meta", ref).endswith(f"|{len(payload)}")
        assert len(recorder.paths("/upload")) == uploads
        # Whatever name the server (or caller) gives, nothing lands outside the dir.
        hostile = dataclasses.replace(ref, orig_name="../../escape.txt")
        safe = hostile.download(tmp_path / "jail")
        assert safe == (tmp_path / "jail" / "escape.txt").resolve()
        renamed = ref.download(tmp_path / "jail", name="../../../x/../y.bin")
        assert renamed.parent == (tmp_path / "jail").resolve()
        assert not (tmp_path / "escape.txt").exists()

    async def run() -> tuple[bytes, bytes]:
        async with AsyncClient(calls_url) as app:
            aref = await app.predict("/file_echo", payload[:1000])
            path = await aref.adownload(tmp_path / "async")
            return await aref.aread_bytes(), path.read_bytes()

    assert asyncio.run(run()) == (payload[:1000], payload[:1000])


def test_multiple_files_and_media(calls_url: str, tmp_path: Path) -> None:
    one = tmp_path / "one.txt"
    one.write_bytes(b"1" * 11)
    with Client(calls_url) as app:
        refs, sizes = app.predict("/files_multi", [one, b"22", str(one)])
        assert sizes == "11,2,11"
        assert [r.read_bytes() for r in refs] == [b"1" * 11, b"22", b"1" * 11]
        image = tmp_path / "pic.png"
        image.write_bytes(png_bytes())
        img, audio = app.predict("/media_echo", image, wav_file(tmp_path / "tone.wav"))
        assert img.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert audio.read_bytes()[:4] == b"RIFF"


def test_max_file_size_is_checked_before_upload(calls_url: str, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (LIMIT + 1))
    recorder = Recorder()
    with Client(calls_url, transport=recorder) as app:
        with pytest.raises(ValidationError) as single:
            app.predict("/file_meta", big)
        assert single.value.parameter == "f" and "big.bin" in str(single.value)
        with pytest.raises(ValidationError) as multi:
            app.predict("/files_multi", [b"ok", b"y" * (LIMIT + 1)])
        assert multi.value.parameter == "fs"
        assert recorder.paths("/upload") == [] and recorder.paths("/queue/join") == []
        assert app.predict("/file_meta", b"z" * LIMIT).endswith(f"|{LIMIT}")
