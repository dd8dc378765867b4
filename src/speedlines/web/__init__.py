"""The web page and REST API (FastAPI): a thin layer over the core package."""
