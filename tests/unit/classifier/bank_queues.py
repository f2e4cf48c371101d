"""The eight bank departments the shipped data, table and FAQ route to (written out, not imported,
so a test fails when the code drops one)."""

BANK_QUEUES = frozenset(
    {
        "cards",
        "transfers_payments",
        "top_up",
        "account_identity",
        "fees_charges",
        "disputes_fraud",
        "exchange_currency",
        "general",
    }
)
