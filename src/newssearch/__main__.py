"""``python -m newssearch``: the ``newssearch`` command."""

from newssearch.cli import main

if __name__ == "__main__":
    main()
