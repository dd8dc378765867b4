"""The page's pure JavaScript modules (speed parsing, the edit tools' geometry) under Node's
own test runner; skipped, saying why, where Node is missing."""

import shutil
import subprocess
from pathlib import Path

import pytest

NODE = shutil.which("node")


@pytest.mark.skipif(not NODE, reason="no node: apt-get install nodejs to run the page's unit tests")
def test_page_modules():
    tests = sorted(str(p) for p in (Path(__file__).parent / "js").glob("*.test.mjs"))
    assert tests
    run = subprocess.run([NODE, "--test", *tests], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
