"""KPI formulas from per-channel counts, and the query's checks (services/metrics/kpis.py)."""

from datetime import UTC, datetime

import pytest

from services.metrics.kpis import DEFAULT_SL_THRESHOLD_S, KpiQuery, figures, report
from services.metrics.rollup import Counts

MARCH = (datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))

S = 1_000_000  # microseconds
PHONE = Counts(
    offered=5, answered=2, abandoned=2, answered_wait_us=40 * S, abandoned_wait_us=14 * S, answered_in_time=1,
    resolved=2, handled=2, handle_us=420 * S, fcr_resolved=1, incoming=6, survey_replies=3, survey_happy=2,
    evaluations=2, quality_centi=8840 + 7000,
)  # fmt: skip
EMAIL = Counts(
    offered=1, answered=1, answered_wait_us=7200 * S, answered_in_time=1, self_served=1, faq_answered=2
)


def test_figures_of_one_channel():
    f = figures(PHONE)
    assert (f.offered, f.answered, f.abandoned, f.waiting, f.resolved) == (5, 2, 2, 1, 2)
    assert f.asa_s == 20.0
    assert f.avg_wait_s == 54.0 / 4
    assert f.service_level == 1 / 4
    assert f.abandonment_rate == 2 / 4
    assert f.aht_s == 210.0
    assert (f.fcr, f.csat, f.quality, f.incoming) == (1 / 2, 2 / 3, (0.884 + 0.70) / 2, 6)


def test_nothing_to_average_is_none_not_zero():
    f = figures(Counts(offered=1, self_served=3))
    assert (f.asa_s, f.avg_wait_s, f.service_level, f.abandonment_rate, f.aht_s) == (None,) * 5
    assert (f.fcr, f.csat, f.quality, f.containment_rate) == (None,) * 4
    assert (f.waiting, f.self_served) == (1, 3)
    only_abandoned = figures(Counts(offered=1, abandoned=1, abandoned_wait_us=9 * S))
    assert (only_abandoned.asa_s, only_abandoned.avg_wait_s) == (None, 9.0)
    assert (only_abandoned.service_level, only_abandoned.abandonment_rate) == (0.0, 1.0)


def test_overall_is_computed_from_summed_counts_not_averaged_rates():
    r = report({("phone", 2, 7): PHONE, ("email", 2, 0): EMAIL}, ["phone", "email"], {2: "cards"}, None)
    assert r.overall.offered == 6
    assert r.overall.asa_s == (40.0 + 7200.0) / 3  # not the mean of 20 and 7200
    assert r.overall.service_level == 2 / 5
    assert r.overall.self_served == 1
    assert r.by_channel["email"].aht_s is None
    assert r.by_channel["email"].containment_rate == 1 / 2
    assert r.by_queue["cards"].offered == 6
    assert list(r.by_agent) == [7]  # agent 0 is "none"
    assert r.formula_version


def test_thresholds_default_per_channel_or_one_for_all():
    assert KpiQuery(*MARCH).thresholds() == {c: float(t) for c, t in DEFAULT_SL_THRESHOLD_S.items()}
    assert DEFAULT_SL_THRESHOLD_S == {"phone": 20, "chat": 30, "mobile": 3600, "web": 3600, "email": 14400}
    assert KpiQuery(*MARCH, sl_threshold_s=45).thresholds() == dict.fromkeys(DEFAULT_SL_THRESHOLD_S, 45.0)
    assert KpiQuery(*MARCH, channel="chat").thresholds() == {"chat": 30.0}
    assert KpiQuery(*MARCH, channel="chat", sl_threshold_s=0).thresholds() == {"chat": 0.0}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": MARCH[0]}, "before"),
        ({"start": MARCH[1], "end": MARCH[0]}, "before"),
        ({"start": datetime(2024, 3, 1)}, "time zone"),
        ({"channel": "fax"}, "channel"),
        ({"sl_threshold_s": -1}, "sl_threshold_s"),
        ({"short_abandon_s": -5}, "short_abandon_s"),
    ],
)
def test_bad_queries_are_refused(changes, message):
    args = {"start": MARCH[0], "end": MARCH[1], **changes}
    with pytest.raises(ValueError, match=message):
        KpiQuery(**args)
