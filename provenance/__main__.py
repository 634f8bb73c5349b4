"""`python -m provenance` is `prov`."""

from provenance.cli.app import main

main()
