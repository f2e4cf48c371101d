"""Routing rules the router and the gateway both apply: policies, eligibility, ranking, Erlang."""
