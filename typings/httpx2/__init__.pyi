# Starlette's TestClient subclasses `httpx2.Client` when type-checked (`if TYPE_CHECKING:
# import httpx2 as httpx`) and falls back to httpx at run time. httpx2 is not installed
# (httpx is), so without this stub mypy saw the TestClient's base as Any, and every
# client call and response in tests/ went unchecked. httpx2 keeps httpx's API: this stub
# says so, so that `client.get(...)` is an `httpx.Response` to mypy as it is at run time.
from httpx import *  # noqa: F403
from httpx import USE_CLIENT_DEFAULT as USE_CLIENT_DEFAULT
from httpx import _client as _client
from httpx import _types as _types
