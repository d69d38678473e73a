"""python -m quoteverify."""

from quoteverify.cli import main

main()
