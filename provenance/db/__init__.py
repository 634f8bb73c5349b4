"""Storage: models, engine and schema migrations."""
