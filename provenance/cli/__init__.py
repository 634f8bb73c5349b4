"""The `prov` command line: one module per noun, each command thin over a service."""
