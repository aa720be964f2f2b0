"""`python -m incubator.cli`: the same as the `incubator` command."""

from . import main

main()
