"""Proactive service: messages the centre sends a customer unasked (docs/channels.md)."""
