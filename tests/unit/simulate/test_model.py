"""The model: deterministic by seed, patience and abandonment, self-service, repeats, its figures."""

import random
from dataclasses import replace
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from services.simulate import figures, model, texts
from services.simulate.contacts import Contact
from services.simulate.presets import CENTRE_2024, Preset

DUBAI = ZoneInfo("Asia/Dubai")
TEXTS = texts.load()


def _phone(preset: Preset, **changes: object) -> Preset:
    channels = dict(preset.channels)
    channels["phone"] = replace(channels["phone"], **changes)  # type: ignore[arg-type]
    return replace(preset, channels=MappingProxyType(channels))


def _run(preset: Preset, days: float = 14, seed: int = 3) -> tuple[model.Year, dict]:
    year = model.simulate(preset, DUBAI, TEXTS, seed, days)
    return year, figures.figures(year.contacts, 0, year.period.seconds(year.period.end))


def test_the_same_seed_gives_the_same_contacts_to_the_millisecond() -> None:
    a, _ = _run(CENTRE_2024, days=3)
    b, _ = _run(CENTRE_2024, days=3)
    c, _ = _run(CENTRE_2024, days=3, seed=4)

    def plain(year: model.Year) -> list[tuple]:
        return [
            (x.channel, x.text, x.arrival, x.answered_at, x.abandoned_at, x.resolved_at)
            for x in year.contacts
        ]

    assert plain(a) == plain(b)
    assert plain(a) != plain(c)


def test_a_patient_customer_never_abandons_and_an_impatient_one_often_does() -> None:
    _, patient = _run(_phone(CENTRE_2024, patience_mean_s=10**7))
    _, usual = _run(CENTRE_2024)
    _, hasty = _run(_phone(CENTRE_2024, patience_mean_s=5.0))
    assert patient["by_channel"]["phone"]["abandoned"] == 0
    # Most calls are answered at once; of those that wait, the hasty leave in seconds.
    assert (
        hasty["by_channel"]["phone"]["abandonment_rate"]
        > 3 * usual["by_channel"]["phone"]["abandonment_rate"]
    )


def test_an_abandoned_call_left_after_its_patience_and_before_any_answer() -> None:
    year, _ = _run(_phone(CENTRE_2024, patience_mean_s=30.0))
    left = [c for c in year.contacts if c.abandoned_at is not None]
    assert left
    for c in left:
        assert c.queued_at is not None and c.patience is not None
        assert c.abandoned_at == pytest.approx(c.queued_at + c.patience, abs=0.002)
        assert c.answered_at is None and c.resolved_at is None


def test_every_offered_contact_ends_answered_or_abandoned_and_handled_in_order() -> None:
    year, found = _run(CENTRE_2024)
    for c in year.contacts:
        if c.queued_at is None:
            assert c.self_served and c.human_at is None
            continue
        assert (c.answered_at is None) != (c.abandoned_at is None)
        if c.answered_at is not None:
            assert c.queued_at <= c.answered_at < c.resolved_at  # type: ignore[operator]
            if c.transfer_at is not None:
                assert c.answered_at < c.transfer_at <= c.answered2_at < c.resolved_at  # type: ignore[operator]
    assert found["offered"] == found["answered"] + found["abandoned"]


def test_repeat_contacts_come_within_the_fcr_window_from_the_same_customer() -> None:
    year, found = _run(replace(CENTRE_2024, repeat_rate=0.2))
    by_key = {c.key: c for c in year.contacts}
    repeats = [c for c in year.contacts if c.repeat_of is not None]
    assert repeats
    for again in repeats:
        first = by_key[again.repeat_of]  # type: ignore[index]
        assert first.repeated and not first.fcr
        assert (again.customer, again.channel, again.text) == (first.customer, first.channel, first.text)
        assert 0 < again.arrival - first.resolved_at <= 7 * 86_400  # type: ignore[operator]
    assert found["fcr"] < 0.9


def test_self_service_takes_the_ivrs_share_of_calls() -> None:
    _, found = _run(CENTRE_2024, days=28)
    phone = found["by_channel"]["phone"]
    assert phone["self_served"] / phone["incoming"] == pytest.approx(0.3041, abs=0.03)


def test_log_normal_handling_has_the_mean_asked_for() -> None:
    rng = random.Random(1)
    draws = [model.lognormal(rng, 262.0, 0.55) for _ in range(40_000)]
    assert sum(draws) / len(draws) == pytest.approx(262.0, rel=0.02)


def test_the_models_own_figures_follow_the_kpi_definitions() -> None:
    first = Contact(0, "phone", "ar", "x", 0, arrival=0.0, queued_at=0.0, answered_at=10.0, resolved_at=110.0)
    late = Contact(1, "phone", "ar", "x", 1, arrival=5.0, queued_at=5.0, answered_at=35.0, resolved_at=95.0,
                   transfer_at=50.0, answered2_at=60.0)  # fmt: skip
    gone = Contact(2, "phone", "en", "x", 2, arrival=7.0, queued_at=7.0, abandoned_at=67.0)
    ivr = Contact(3, "phone", "en", "x", 3, arrival=8.0, self_served=True)
    found = figures.figures([first, late, gone, ivr], 0, 1_000)
    assert (found["incoming"], found["self_served"], found["offered"]) == (4, 1, 3)
    assert found["asa_s"] == pytest.approx(20.0)
    assert found["avg_wait_s"] == pytest.approx((10 + 30 + 60) / 3)
    assert found["service_level"] == pytest.approx(1 / 3)
    assert found["abandonment_rate"] == pytest.approx(1 / 3)
    assert found["aht_s"] == pytest.approx((100 + 15 + 35) / 2)
    assert found["fcr"] == pytest.approx(0.5)


def test_last_years_contacts_count_where_their_events_fall() -> None:
    late = Contact(
        0, "email", "ar", "x", 0, arrival=-600.0, queued_at=-600.0, answered_at=-60.0, resolved_at=300.0
    )
    # On the next period's clock (it starts 1,000 s later) the resolution falls inside it, the rest before.
    (moved,) = figures.shifted([late], -1_000.0)
    assert (moved.arrival, moved.resolved_at) == (-1_600.0, -700.0)
    found = figures.figures([late], 0, 1_000)
    assert (found["incoming"], found["offered"], found["resolved"]) == (0, 0, 1)
