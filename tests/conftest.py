"""Test-wide settings."""

import os
import tempfile

# Exported ONNX files go to a throwaway cache, never into the user's ~/.cache.
os.environ.setdefault("SPEEDLINES_CACHE", tempfile.mkdtemp(prefix="speedlines-cache-"))
