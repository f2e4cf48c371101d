"""HTTP routes: each translates between JSON and the functions that do the work."""
