"""A stream announces each offer once, and learns which it missed the closing of."""

from gateway.actions.offer_announcements import Announced


def test_an_offer_is_announced_once_until_it_closes() -> None:
    announced = Announced()
    assert announced.first_time(7) is True
    assert announced.first_time(7) is False  # the pending list and the notification both had it
    announced.closed(7)
    assert announced.first_time(7) is True  # an offer id is never reused; closing forgets it


def test_offers_no_longer_pending_after_a_resync_were_closed_unheard() -> None:
    announced = Announced()
    for offer_id in (1, 2, 3):
        announced.first_time(offer_id)
    assert announced.gone_from([2]) == [1, 3]
    assert announced.gone_from([2]) == []
    assert announced.first_time(2) is False
