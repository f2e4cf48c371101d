"""The e-mail channel's pure parts, shared by the gateway, the SMTP listener and the workers."""
