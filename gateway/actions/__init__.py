"""What the gateway does with tickets: intake, agent work, offers, waits, access rules, caller views."""
