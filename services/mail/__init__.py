"""The e-mail channel's SMTP listener: takes mail for the centre's addresses and hands it to the gateway."""
