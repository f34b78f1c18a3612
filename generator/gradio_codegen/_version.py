"""Version of gradio-codegen (the generator); generated SDKs record it in their header."""

__version__ = "0.2.0"
