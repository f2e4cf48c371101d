"""The public HTTP API: intake, agent work, surveys and reports, with bearer-token auth."""
