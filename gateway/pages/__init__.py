"""Static pages the gateway serves: the agent console, the supervisor page, the wallboard."""
