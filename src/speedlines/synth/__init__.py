"""Synthetic compressor-map images with exact speedline labels."""
