"""Version of the runtime distribution, and the runtime API levels it serves.

Generated SDKs declare the API level they were generated for and call
``check_runtime_api`` at import; a runtime accepts every level from
``MIN_SUPPORTED_API`` to ``RUNTIME_API``. Level 2: client options
``max_download_size`` and ``stream_timeout`` (SDKs pass them to the base clients).
Level 3: client options ``proxy``, ``trust_env``, ``oauth_token``, ``ip_token``, a
``verify`` beyond bool, and ``Endpoint(oauth_token=...)``.
"""

__version__ = "0.2.0"

RUNTIME_API = 3
MIN_SUPPORTED_API = 1
