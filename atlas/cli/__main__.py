"""``python -m atlas.cli`` runs the ``atlas`` command."""

from . import main

main()
