"""`python -m app`: the same as the `sector-7g` command."""

from app.cli.launch import main

main()
