"""`python -m services.stack`: the whole system as child processes of one foreground command."""
