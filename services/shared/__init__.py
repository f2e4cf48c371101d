"""Code imported by more than one process: settings helpers, database access, domain rules."""
