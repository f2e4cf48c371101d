"""The admin CLI: queues, agents, tokens and corrections in the database (`python -m services.admin`)."""
