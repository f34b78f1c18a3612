"""Version of gradio-codegen; generated SDKs record it and check the runtime against it."""

__version__ = "0.1.0"

#: Generated code declares the runtime API level it needs; a runtime accepts every
#: level from ``MIN_SUPPORTED_API`` to ``RUNTIME_API``. Level 2: client options
#: ``max_download_size`` and ``stream_timeout`` (SDKs pass them to the base clients).
#: Level 3: client options ``proxy``, ``trust_env``, ``oauth_token``, ``ip_token``, a
#: ``verify`` beyond bool, and ``Endpoint(oauth_token=...)``.
RUNTIME_API = 3
MIN_SUPPORTED_API = 1
