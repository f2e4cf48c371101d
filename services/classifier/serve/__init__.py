"""Serving: the model in NumPy, the learned router, reloading, startup and the gRPC server."""
