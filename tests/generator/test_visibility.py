"""Which endpoints an SDK exposes: public by default, undocumented with
``--all-endpoints``, private never."""

from __future__ import annotations

from pathlib import Path

from gradio_codegen.cli import main as cli

from tests.conftest import import_fresh


def test_visibility_of_endpoints(serve, gradio_version: str, tmp_path: Path) -> None:
    server = serve("gen_visibility", gradio_version)
    tag = gradio_version.replace(".", "_")

    default = tmp_path / f"vis_default_{tag}"
    assert cli([server.url, "-o", str(default)]) == 0
    sdk = import_fresh(default, default.name)
    assert hasattr(sdk, "shout") and not hasattr(sdk, "whisper")
    assert "secret" not in (default / "_client.py").read_text()
    assert sdk.shout("hi") == "HI"
    sdk.default_client().close()

    everything = tmp_path / f"vis_all_{tag}"
    assert cli([server.url, "-o", str(everything), "--all-endpoints"]) == 0
    sdk_all = import_fresh(everything, everything.name)
    assert hasattr(sdk_all, "shout") and hasattr(sdk_all, "whisper")
    assert not hasattr(sdk_all, "secret")
    for path in everything.iterdir():
        assert "secret" not in path.read_text(), path.name  # private: never, anywhere
    with sdk_all.Client() as app:
        assert app.whisper("HeLLo") == "hello"


def test_two_events_of_one_api_name(serve, gradio_version: str, tmp_path: Path) -> None:
    """A rendered Blocks leaves a public and an undocumented event both named "step_1";
    /info describes the public one, and only it gets a method."""
    server = serve("gen_visibility", gradio_version)
    out = tmp_path / f"vis_twin_{gradio_version.replace('.', '_')}"
    assert cli([server.url, "-o", str(out)]) == 0
    sdk = import_fresh(out, out.name)
    methods = sorted(name for name in dir(sdk.Client) if name.startswith("step"))
    assert methods == ["step", "step_1"]
    with sdk.Client() as app:
        assert app.step("MiXed") == "mixed"
        assert app.step_1("MiXed") == "MIXED"  # the public event, not the reset

    everything = tmp_path / f"vis_twin_all_{gradio_version.replace('.', '_')}"
    assert cli([server.url, "-o", str(everything), "--all-endpoints"]) == 0
    sdk_all = import_fresh(everything, everything.name)
    with sdk_all.Client() as app:  # /info then describes the last "step_1": the reset
        assert app.step("MiXed") == "mixed"
        assert app.step_1() == ""
