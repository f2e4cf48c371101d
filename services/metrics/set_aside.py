"""Which failures set an event aside, and the reason recorded for it (pure)."""

import psycopg

# The longest reason stored: an exception's text can quote a whole row.
REASON_MAX_CHARS = 500

# Faults that say nothing about an event: PostgreSQL or the connection away, a query cancelled, a
# deadlock or serialization failure, SQL naming what does not exist (a migration not applied), or a
# defect in the code. Setting events aside for them would empty the figures during an outage or after
# a bad deploy; the pass fails instead and is tried again, loudly.
NOT_ABOUT_THE_EVENT: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    OSError,
    MemoryError,
    NameError,
    AttributeError,
    ImportError,
)
# The same by SQLSTATE class (psycopg's exception classes do not follow the classes): connection,
# transaction rollback, syntax or access rule, resources, object state (a lock not available),
# operator intervention, system and internal errors.
NOT_ABOUT_THE_EVENT_SQLSTATE = frozenset({"08", "40", "42", "53", "55", "57", "58", "F0", "XX"})


def is_data_fault(exc: BaseException) -> bool:
    """True when processing failed on what the events or ticket hold (a date out of range, a value
    the timeline or the rollups cannot take): the events are set aside and the rest go on."""
    if not isinstance(exc, Exception) or isinstance(exc, NOT_ABOUT_THE_EVENT):
        return False
    sqlstate = exc.sqlstate if isinstance(exc, psycopg.Error) else None
    return not (sqlstate and sqlstate[:2] in NOT_ABOUT_THE_EVENT_SQLSTATE)


def reason(exc: BaseException) -> str:
    """One line naming the error, for the set-aside table and the log."""
    text = " ".join(str(exc).split())
    found = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return found if len(found) <= REASON_MAX_CHARS else found[: REASON_MAX_CHARS - 1] + "…"
