"""Generated gRPC code for the ticketing.v1 contracts (see protos/*.proto)."""
