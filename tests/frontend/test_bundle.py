"""The committed editor bundle is exactly what frontend/ builds from its lock file."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
BUNDLE = ROOT / "static" / "editor.js"


def test_the_committed_bundle_is_a_rebuild_of_frontend(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None or not (FRONTEND / "node_modules" / ".installed").exists():
        pytest.fail("no front-end build tools: run `make assets` (needs Node.js 18+, npm)")
    rebuilt = tmp_path / "editor.js"
    subprocess.run(
        [node, "build.mjs", f"--outfile={rebuilt}"], cwd=FRONTEND, check=True, timeout=120
    )
    assert rebuilt.read_bytes() == BUNDLE.read_bytes(), (
        "static/editor.js differs from a rebuild of frontend/: run `make assets` and commit it"
    )


def test_the_lock_file_pins_every_package_exactly() -> None:

    manifest = json.loads((FRONTEND / "package.json").read_text())
    lock = json.loads((FRONTEND / "package-lock.json").read_text())
    for name, version in manifest["devDependencies"].items():
        assert version[0].isdigit(), f"{name} must be pinned to an exact version, not {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    for path, entry in lock["packages"].items():
        if path:
            assert entry.get("integrity", "").startswith("sha512-"), f"{path} has no integrity hash"
