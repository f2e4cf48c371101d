"""Training the learned router: data, fitting, calibration, corrections (`python -m ...train`)."""
