"""Test-wide settings."""

import atexit
import os
import shutil
import tempfile

# Exported ONNX files go to a throwaway cache, never into the user's ~/.cache, and the
# process that made it removes it: each run left 125 MB per worker in /tmp before.
if "SPEEDLINES_CACHE" not in os.environ:
    os.environ["SPEEDLINES_CACHE"] = tempfile.mkdtemp(prefix="speedlines-cache-")
    atexit.register(shutil.rmtree, os.environ["SPEEDLINES_CACHE"], ignore_errors=True)
