"""speedlines: speedline segmentation and digitization of compressor-map images."""

__version__ = "0.2.0.dev0"
