"""`python -m assembler` runs the same CLI as the `dossier` console script."""

from assembler.cli import main

main()
