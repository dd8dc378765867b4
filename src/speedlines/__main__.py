"""``python -m speedlines``: the same entry point as the ``speedlines`` command."""

from speedlines.cli import main

if __name__ == "__main__":
    main()
