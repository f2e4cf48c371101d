"""The ticket query's column list and the Ticket dataclass agree, name by name and in order.

Rows are decoded by position (`Ticket(*row)`), so a column added to one and not the other, or in
another place, would shift every field after it silently.
"""

import dataclasses
import re

from services.shared.store.tickets import COLUMNS, Ticket


def _names(columns: str) -> list[str]:
    names = []
    for item in columns.split(","):
        item = item.strip()
        alias = re.search(r"\bAS\s+(\w+)$", item, re.IGNORECASE)
        names.append(alias.group(1) if alias else item.rsplit(".", 1)[-1])
    return names


def test_columns_and_fields_agree_in_order() -> None:
    assert _names(COLUMNS) == [f.name for f in dataclasses.fields(Ticket)]
