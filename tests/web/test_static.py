"""Static files: content-hashed URLs cached for a year, ETag revalidation, gzip."""

import gzip
import re
from pathlib import Path

from fastapi.testclient import TestClient

from app.paths import STATIC_DIR
from app.web.static import IMMUTABLE, StaticAssets


def stylesheet_url(client: TestClient) -> str:
    match = re.search(r'href="(/static/style\.css\?v=[0-9a-f]+)"', client.get("/").text)
    assert match, "pages link the stylesheet by its content-hashed URL"
    return match.group(1)


def test_hashed_url_is_cached_for_a_year_and_gzipped(client: TestClient) -> None:
    response = client.get(stylesheet_url(client), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert int(response.headers["content-length"]) < (STATIC_DIR / "style.css").stat().st_size
    assert response.content == (STATIC_DIR / "style.css").read_bytes()  # httpx inflated it


def test_without_gzip_the_plain_bytes(client: TestClient) -> None:
    response = client.get(stylesheet_url(client), headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert response.content == (STATIC_DIR / "style.css").read_bytes()


def test_unhashed_or_stale_url_revalidates_with_etag(client: TestClient) -> None:
    for url in ("/static/style.css", "/static/style.css?v=0000"):
        response = client.get(url)
        assert response.headers["cache-control"] == "no-cache"
        again = client.get(url, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304
        assert again.content == b""


def test_missing_files_and_escapes_are_404(client: TestClient) -> None:
    assert client.get("/static/nope.css").status_code == 404
    assert client.get("/static/../app/main.py").status_code == 404
    assert client.get("/static/%2e%2e/app/main.py").status_code == 404
    assert client.post("/static/style.css").status_code == 405


def test_a_changed_file_gets_a_new_url(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("body { color: red }\n")
    assets = StaticAssets(tmp_path)
    before = assets.url("a.css")
    (tmp_path / "a.css").write_text("body { color: blue; margin: 0 }\n")
    after = assets.url("a.css")
    assert before != after and after.startswith("/static/a.css?v=")
    asset = assets.asset("a.css")
    assert asset is not None and asset.body == b"body { color: blue; margin: 0 }\n"
    assert gzip.decompress(asset.gzipped) if asset.gzipped else True
