"""The gateway's HTTP plumbing: app, auth, problems, middleware, OpenAPI, rate limits, deps, schemas."""
