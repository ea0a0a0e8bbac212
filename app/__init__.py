"""torchquiz: learn PyTorch by answering questions whose code runs live on the server."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("torchquiz")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
