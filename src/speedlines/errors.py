"""Errors that mean bad input or bad usage: the CLI prints their message on one line, exit 2."""


class InputError(ValueError):
    """Raised for input the user can fix (bad file, bad value, bad calibration)."""
