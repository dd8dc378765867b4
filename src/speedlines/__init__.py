"""speedlines: speedline segmentation and digitization of compressor-map images."""

__version__ = "0.1.0"
