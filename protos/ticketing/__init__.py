"""The ticketing gRPC contracts, generated from protos/ticketing."""
