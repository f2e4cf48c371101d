"""SQL, one module per table; functions take a connection so callers own the transaction."""
