"""Which offers one live stream has announced (pure): each offer is sent once, however it is heard of.

A stream hears of an offer from the pending list it reads on connect, from the offer's notification,
and from the list it reads again after the notification connection was lost; an offer made while the
stream connects is in both the list and a notification. The agent sees one `offer` event per offer.
"""

from collections.abc import Iterable


class Announced:
    def __init__(self) -> None:
        self._open: set[int] = set()

    def first_time(self, offer_id: int) -> bool:
        """True the first time an offer is announced (it is then open until `closed`)."""
        if offer_id in self._open:
            return False
        self._open.add(offer_id)
        return True

    def closed(self, offer_id: int) -> None:
        self._open.discard(offer_id)

    def gone_from(self, pending: Iterable[int]) -> list[int]:
        """The announced offers that are no longer pending: their closing was missed (a lost
        notification connection). They count as closed from now on."""
        gone = sorted(self._open.difference(pending))
        self._open.difference_update(gone)
        return gone
