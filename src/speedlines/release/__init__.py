"""Releasing a model: weight averaging, the fixed test sets, the model card and installing it
as the package's default model."""
