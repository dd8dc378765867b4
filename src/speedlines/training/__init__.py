"""Training speedline segmentation models with segmentation-models-pytorch and Lightning."""
