"""Which failures set an event aside, and the reason recorded (services/metrics/set_aside.py)."""

import psycopg
import psycopg.errors
import pytest

from services.metrics.set_aside import REASON_MAX_CHARS, is_data_fault, reason


@pytest.mark.parametrize(
    "exc",
    [
        OverflowError("date value out of range"),
        ValueError("bad"),
        KeyError("fax"),
        ZeroDivisionError(),
        TypeError("unsupported operand"),
        psycopg.errors.NumericValueOutOfRange("bigint out of range"),
        psycopg.errors.InvalidTextRepresentation("invalid input syntax"),
        psycopg.errors.CheckViolation("check"),
    ],
)
def test_what_the_data_holds_sets_the_event_aside(exc):
    assert is_data_fault(exc)


@pytest.mark.parametrize(
    "exc",
    [
        psycopg.OperationalError("server closed the connection"),
        psycopg.errors.QueryCanceled("statement timeout"),
        psycopg.errors.SerializationFailure("could not serialize"),
        psycopg.errors.AdminShutdown("terminating"),
        psycopg.InterfaceError("the connection is closed"),
        psycopg.errors.UndefinedColumn("column does not exist"),
        psycopg.errors.InsufficientPrivilege("permission denied"),
        psycopg.errors.LockNotAvailable("could not obtain lock"),
        ConnectionResetError(),
        TimeoutError(),
        MemoryError(),
        AttributeError("'NoneType' object has no attribute 'x'"),
        NameError("x"),
        KeyboardInterrupt(),
    ],
)
def test_outages_and_defects_never_set_an_event_aside(exc):
    assert not is_data_fault(exc)


def test_the_reason_is_one_bounded_line_naming_the_error():
    assert reason(OverflowError("date value out of range")) == "OverflowError: date value out of range"
    assert reason(ZeroDivisionError()) == "ZeroDivisionError"
    assert reason(ValueError("two\n  lines")) == "ValueError: two lines"
    long = reason(ValueError("x" * 10_000))
    assert len(long) == REASON_MAX_CHARS and long.endswith("…")
