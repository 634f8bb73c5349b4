"""Service functions: each takes a Session first and keyword arguments, does one
thing, and neither commits nor prints; the caller owns the transaction."""
