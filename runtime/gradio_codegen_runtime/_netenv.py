"""The network a client runs in: which proxy a URL goes through and which certificates
its TLS trusts, from the client's options and, unless ``trust_env=False``, the standard
environment (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY`` in either case,
``SSL_CERT_FILE``, ``SSL_CERT_DIR``).

Pure functions, resolved once per client and host: the connection hands the result to
httpx (``proxy=``, ``verify=``) and keeps its socket pools for hosts reached directly.
The environment is read with ``urllib.request`` (the same reading httpx and requests
do), so ``NO_PROXY`` means what it means to the rest of Python. A proxy URL may carry
credentials: only ``redact_proxy`` output may reach messages.
"""

from __future__ import annotations

import os
import ssl
import urllib.request
from dataclasses import dataclass
from typing import Any, Union
from urllib.parse import urlsplit

__all__ = [
    "PROXY_SCHEMES", "NetOptions", "Verify", "check_proxy", "proxy_for", "redact_proxy",
    "ssl_verify",
]

#: What ``verify=`` takes: True (certifi, or the environment's CA bundle), False (no
#: checks), a CA bundle file or directory, ``"system"`` (the operating system's trust
#: store, through the optional ``truststore`` package) or a ready ``ssl.SSLContext``.
Verify = Union[bool, str, ssl.SSLContext]
#: Proxy URL schemes httpx can speak (``socks5`` needs the ``socksio`` package).
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def redact_proxy(proxy: str) -> str:
    """The proxy's scheme, host and port only: its user and password are secrets."""
    try:
        parts = urlsplit(proxy if "://" in proxy else "http://" + proxy)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid proxy url>"
    return f"{parts.scheme}://{host}{port}"


def check_proxy(proxy: str | None, source: str = "proxy") -> str | None:
    """``proxy`` as a full URL (``host:port`` means ``http://host:port``), or a
    ``ValueError`` naming ``source`` and never the credentials; None and "" are none."""
    if proxy is None:
        return None
    if not isinstance(proxy, str):
        raise ValueError(f"{source} must be a URL string, not {type(proxy).__name__}")
    if not proxy.strip():
        return None
    url = proxy.strip()
    if "://" not in url:
        url = "http://" + url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise ValueError(f"{source} is not a valid URL: {redact_proxy(url)!r}") from None
    if parts.scheme.lower() not in PROXY_SCHEMES or not parts.hostname:
        raise ValueError(
            f"{source} must be an http(s):// or socks5:// URL with a host, not "
            f"{redact_proxy(url)!r}"
        )
    return url


def proxy_for(url: str, proxy: str | None = None, *, trust_env: bool = True) -> str | None:
    """The proxy URL requests to ``url`` go through, or None for a direct connection.

    An explicit ``proxy`` applies to every host. Otherwise, with ``trust_env``, the
    scheme's variable (``HTTPS_PROXY`` for https, ``HTTP_PROXY`` for http), else
    ``ALL_PROXY``, unless the host matches ``NO_PROXY``.
    """
    explicit = check_proxy(proxy)
    if explicit is not None or not trust_env:
        return explicit
    proxies = urllib.request.getproxies()
    parts = urlsplit(url)
    scheme = (parts.scheme or "http").lower()
    chosen = proxies.get(scheme) or proxies.get("all")
    if not chosen:
        return None
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    # Documented in urllib's source, not in typeshed: NO_PROXY matching as curl does it.
    if urllib.request.proxy_bypass_environment(netloc, proxies):  # type: ignore[attr-defined]
        return None
    return check_proxy(chosen, f"the {scheme.upper()}_PROXY / ALL_PROXY setting")


def ssl_verify(verify: Verify = True, *, trust_env: bool = True) -> bool | ssl.SSLContext:
    """What httpx and the socket pools get as ``verify``: True for httpx's default
    (certifi), False, or a context built from the option or the environment's bundle.

    A bundle that cannot be loaded is a ``ValueError`` naming where it came from, raised
    at construction, before anything is sent.
    """
    if isinstance(verify, ssl.SSLContext) or verify is False:
        return verify
    if verify is True:
        if not trust_env:
            return True
        cafile = os.environ.get("SSL_CERT_FILE") or None
        capath = os.environ.get("SSL_CERT_DIR") or None
        if cafile is None and capath is None:
            return True
        return _bundle(cafile, capath, "SSL_CERT_FILE / SSL_CERT_DIR")
    if isinstance(verify, str):
        if verify == "system":
            return _system_context()
        if os.path.isdir(verify):
            return _bundle(None, verify, "verify")
        return _bundle(verify, None, "verify")
    raise ValueError(
        "verify must be True, False, a CA bundle path, 'system' or an ssl.SSLContext, "
        f"not {type(verify).__name__}"
    )


def _bundle(cafile: str | None, capath: str | None, source: str) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ssl.SSLError) as exc:
        where = cafile or capath
        raise ValueError(
            f"{source}: cannot load CA certificates from {where!r} ({type(exc).__name__})"
        ) from None


def _system_context() -> ssl.SSLContext:
    """The OS trust store (Windows, macOS, or OpenSSL's default paths on Linux)."""
    try:
        import truststore
    except ImportError:
        raise ValueError(
            "verify='system' needs the truststore package: pip install truststore "
            "(or gradio-codegen-runtime[truststore])"
        ) from None
    context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return context


@dataclass(frozen=True)
class NetOptions:
    """A client's network options, resolved: the explicit proxy (checked), whether the
    environment counts, and the ``verify`` value for httpx and the pools."""

    proxy: str | None = None
    trust_env: bool = True
    verify: bool | ssl.SSLContext = True

    @classmethod
    def resolve(
        cls, *, proxy: str | None = None, trust_env: bool = True, verify: Verify = True
    ) -> NetOptions:
        if not isinstance(trust_env, bool):
            raise ValueError(f"trust_env must be True or False, not {trust_env!r}")
        return cls(
            check_proxy(proxy), trust_env, ssl_verify(verify, trust_env=trust_env)
        )

    def proxy_for(self, url: str) -> str | None:
        return proxy_for(url, self.proxy, trust_env=self.trust_env)

    def httpx_options(self, url: str) -> dict[str, Any]:
        """``proxy``, ``verify`` and ``trust_env`` for an httpx client that talks to
        ``url``'s host: httpx's own reading of the environment stays off (it would also
        read ``.netrc``), this module's reading stands in for it."""
        return {"proxy": self.proxy_for(url), "verify": self.verify, "trust_env": False}

    def __repr__(self) -> str:
        proxy = redact_proxy(self.proxy) if self.proxy else None
        return f"NetOptions(proxy={proxy!r}, trust_env={self.trust_env})"
