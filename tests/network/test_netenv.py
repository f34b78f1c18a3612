"""Proxy and certificate settings resolved from options and the environment (no I/O)."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme

from gradio_codegen_runtime._netenv import NetOptions, check_proxy, proxy_for, ssl_verify

SECRET = "PROXYsecret0042"


def test_scheme_variables_all_proxy_and_case(monkeypatch: pytest.MonkeyPatch) -> None:
    assert proxy_for("https://app.example") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://secure:3128")
    monkeypatch.setenv("HTTP_PROXY", "plain:8080")  # no scheme: http:// is meant
    assert proxy_for("https://app.example") == "http://secure:3128"
    assert proxy_for("http://app.example") == "http://plain:8080"
    monkeypatch.setenv("https_proxy", "http://lower:1")  # lower case wins, as in urllib
    assert proxy_for("https://app.example") == "http://lower:1"
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("ALL_PROXY", "http://every:2")
    assert proxy_for("https://app.example") == "http://every:2"
    assert proxy_for("http://app.example", trust_env=False) is None
    assert proxy_for("http://app.example", "http://mine:3", trust_env=False) == "http://mine:3"


@pytest.mark.parametrize(
    ("no_proxy", "url", "bypassed"),
    [
        ("example.com", "https://app.example.com", True),
        (".example.com", "https://app.example.com", True),
        ("example.com", "https://example.community", False),
        ("127.0.0.1", "http://127.0.0.1:7860", True),
        ("127.0.0.1:7860", "http://127.0.0.1:7860", True),
        ("127.0.0.1:7861", "http://127.0.0.1:7860", False),
        ("other.org, example.com", "https://x.example.com", True),
        ("*", "https://anything.at.all", True),
        ("", "https://app.example.com", False),
    ],
)
def test_no_proxy_matching(
    monkeypatch: pytest.MonkeyPatch, no_proxy: str, url: str, bypassed: bool
) -> None:
    monkeypatch.setenv("ALL_PROXY", "http://proxy:3128")
    monkeypatch.setenv("NO_PROXY", no_proxy)
    assert (proxy_for(url) is None) is bypassed
    # An explicit proxy= applies to every host.
    assert proxy_for(url, "http://mine:1") == "http://mine:1"


def test_bad_proxies_are_named_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for bad in (f"ftp://u:{SECRET}@proxy:21", f"http://u:{SECRET}@proxy:notaport", "http://"):
        with pytest.raises(ValueError) as info:
            check_proxy(bad)
        assert "proxy" in str(info.value) and SECRET not in str(info.value)
    with pytest.raises(ValueError, match="proxy must be a URL"):
        NetOptions.resolve(proxy=3128)  # type: ignore[arg-type]
    monkeypatch.setenv("HTTPS_PROXY", f"gopher://u:{SECRET}@proxy:70")
    with pytest.raises(ValueError, match="HTTPS_PROXY") as env_info:
        proxy_for("https://app.example")
    assert SECRET not in str(env_info.value)
    options = NetOptions.resolve(proxy=f"http://u:{SECRET}@proxy:3128")
    assert SECRET not in repr(options) and "proxy:3128" in repr(options)


def test_ca_bundles(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    assert ssl_verify(True) is True and ssl_verify(False) is False
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    context = ssl_verify(True)
    assert isinstance(context, ssl.SSLContext)
    assert len(context.get_ca_certs()) == 1  # the bundle's CA, and no other
    assert ssl_verify(True, trust_env=False) is True
    own = ssl.create_default_context()
    assert ssl_verify(own) is own
    assert isinstance(ssl_verify(str(bundle), trust_env=False), ssl.SSLContext)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(ValueError, match="SSL_CERT_FILE"):
        ssl_verify(True)
    with pytest.raises(ValueError, match="verify"):
        ssl_verify(str(tmp_path / "missing.pem"))
    with pytest.raises(ValueError, match="verify must be"):
        ssl_verify(3)  # type: ignore[arg-type]

