"""The back-end processes (classifier, metrics, workers) and the code they share with the gateway."""
