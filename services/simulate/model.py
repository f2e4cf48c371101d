"""The discrete-event model of the centre's year (simpy): arrivals, self-service, agents on shifts,
patience, handling, transfers, repeat contacts, surveys and quality evaluations (pure: no I/O).

Every random draw comes from one generator seeded by `seed`, in an order fixed by the model, so the
same preset, period and seed give the same contacts, to the millisecond.
"""

import math
import random
from collections.abc import Generator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import simpy

from services.shared.business_hours import Calendar, parse_calendar
from services.simulate import profiles, staffing
from services.simulate.contacts import Contact
from services.simulate.presets import CHANNELS, Preset
from services.simulate.staffing import Agent, Need
from services.simulate.texts import Texts

# A simpy process: yields events, is sent their values.
Process = Generator[simpy.Event, Any, None]
# Agents stay on after the period so contacts that arrived late in it are answered (and resolved).
TAIL = timedelta(days=10)
# A waiting customer's abandonment is at least this long after queueing (the IVR's "please hold").
MIN_PATIENCE_S = 1.0
# Where a voice/chat contact's guess of abandonment enters the repeat-contact volume estimate.
ABANDON_GUESS = 0.02


@dataclass(frozen=True)
class Period:
    start: datetime  # UTC
    end: datetime
    zone: ZoneInfo

    def seconds(self, moment: datetime) -> float:
        return (moment - self.start).total_seconds()

    def moment(self, seconds: float) -> datetime:
        return self.start + timedelta(milliseconds=round(seconds * 1000))


@dataclass
class Year:
    period: Period
    agents: list[Agent]
    contacts: list[Contact]


def ms(value: float) -> float:
    return round(value, 3)


def lognormal(rng: random.Random, mean: float, sigma: float) -> float:
    """A log-normal draw with the given mean (not median) and log-sigma."""
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


def base_volume(preset: Preset, channel: str) -> tuple[float, float]:
    """First contacts a year (the volume less the expected repeat contacts), and the share of them
    the IVR or FAQ serves so that the self-served add up to the channel's share of its volume."""
    c = preset.channels[channel]
    abandon = ABANDON_GUESS if c.patience_mean_s else 0.0
    # Repeats never go through self-service; approximate the first-contact self-service share.
    resolved_share = (1 - c.self_service * (1 - c.asks_human)) * (1 - abandon)
    base = c.volume / (1 + preset.repeat_rate * resolved_share)
    return base, min(1.0, c.self_service * c.volume / base)


def plan_year(preset: Preset, zone: ZoneInfo, texts: Texts, seed: int, days: float | None = None) -> Year:
    """Arrivals and the roster of the preset's year (or its first `days`), before the run."""
    start, end = profiles.year_bounds(preset.year, zone)
    if days is not None:
        end = min(end, start + timedelta(days=days))
    period = Period(start, end, zone)
    calendar = parse_calendar(dict(preset.hours), default_zone=zone)
    year_start, year_end = profiles.year_bounds(preset.year, zone)
    rng = random.Random(seed)
    counts = np.random.default_rng(seed)
    contacts: list[Contact] = []
    agents: list[Agent] = []
    for channel in CHANNELS:
        c = preset.channels[channel]
        hours = profiles.VOICE_HOURS if c.open_hours_only else profiles.WRITTEN_HOURS
        desk = calendar if c.open_hours_only else None
        # Scaled on the whole year, then cut to the period: a short run is the year's first days.
        year_bins = profiles.bins(year_start, year_end, zone, desk, hours)
        base, self_share = base_volume(preset, channel)
        expected = profiles.expected_counts(year_bins, base)
        kept = [(b, e) for b, e in zip(year_bins, expected, strict=True) if start <= b.start < end]
        times = profiles.arrivals([b for b, _ in kept], [e for _, e in kept], counts, rng)
        for moment in times:
            contacts.append(_contact(preset, rng, texts, channel, period.seconds(moment), self_share))
        offered_share = (1 - self_share * (1 - c.asks_human)) * (1 + preset.repeat_rate)
        needs = _needs(preset, channel, calendar, kept, offered_share, start, end + TAIL, zone)
        first_id = len(agents) + 1
        agents.extend(staffing.roster(channel, needs, zone, c.capacity, preset.english_agents, first_id))
    contacts.sort(key=lambda x: (x.arrival, x.channel))
    for key, contact in enumerate(contacts):
        contact.key = contact.customer = key
    return Year(period, agents, contacts)


def _contact(
    preset: Preset, rng: random.Random, texts: Texts, channel: str, arrival: float, self_share: float
) -> Contact:
    c = preset.channels[channel]
    language = "ar" if rng.random() < preset.arabic_share else "en"
    self_served = rng.random() < self_share
    human_at = None
    if self_served and rng.random() < c.asks_human:
        human_at = ms(arrival + rng.uniform(30, 300))
    text = texts.question(rng, language) if self_served else texts.story(rng, language)
    contact = Contact(0, channel, language, text, 0, ms(arrival), self_served, human_at)
    _draw_handling(preset, rng, contact)
    return contact


def _draw_handling(preset: Preset, rng: random.Random, contact: Contact) -> None:
    c = preset.channels[contact.channel]
    contact.patience = (
        max(MIN_PATIENCE_S, rng.expovariate(1 / c.patience_mean_s)) if c.patience_mean_s else None
    )
    contact.handle = lognormal(rng, c.handle_mean_s, c.handle_sigma)
    if rng.random() < preset.transfer_rate:
        contact.transfer_split = rng.uniform(0.3, 0.6)


def _needs(
    preset: Preset,
    channel: str,
    calendar: Calendar,
    kept: list[tuple[profiles.Bin, float]],
    offered_share: float,
    start: datetime,
    until: datetime,
    zone: ZoneInfo,
) -> list[Need]:
    """Agents per open hour of [start, until): Erlang C on the hour's expected offered contacts. The
    written channels' arrivals of a day (any hour) are answered over the day's open hours."""
    c = preset.channels[channel]
    aht = c.handle_mean_s + preset.ring_mean_s
    per_day: dict[object, float] = {}
    per_hour: dict[datetime, float] = {}
    for b, e in kept:
        per_hour[b.start] = per_hour.get(b.start, 0.0) + e * offered_share
        day = b.start.astimezone(zone).date()
        per_day[day] = per_day.get(day, 0.0) + e * offered_share
    desk = profiles.bins(start, until, zone, calendar, [1.0] * 24)
    open_s: dict[object, float] = {}
    for b in desk:
        day = b.start.astimezone(zone).date()
        open_s[day] = open_s.get(day, 0.0) + sum((hi - lo).total_seconds() for lo, hi in b.open)
    needs = []
    for b in desk:
        lo, hi = b.open[0][0], b.open[-1][1]
        seconds = sum((y - x).total_seconds() for x, y in b.open)
        if c.open_hours_only:
            rate = per_hour.get(b.start, 0.0) / seconds
        else:
            day = b.start.astimezone(zone).date()
            rate = per_day.get(day, 0.0) / open_s[day]
        n = staffing.agents_for(
            rate, aht, c.target_s, preset.service_level, c.capacity, preset.staffing_factor
        )
        needs.append(Need(lo, hi, n))
    return needs


class Run:
    """The simpy run of a planned year: fills in each contact's outcome."""

    def __init__(self, preset: Preset, year: Year, seed: int) -> None:
        self.preset = preset
        self.year = year
        self.rng = random.Random(seed + 1)
        self.env = simpy.Environment()
        self.stores = {ch: simpy.FilterStore(self.env) for ch in CHANNELS}
        self.calendar = parse_calendar(dict(preset.hours), default_zone=year.period.zone)
        self.by_customer_last: dict[int, Contact] = {}

    def run(self) -> Year:
        for agent in self.year.agents:
            shifts = [(self.year.period.seconds(a), self.year.period.seconds(b)) for a, b in agent.shifts]
            for _ in range(agent.capacity):
                self.env.process(self._slot(agent, shifts))
        for contact in list(self.year.contacts):
            self.env.process(self._customer(contact))
        self.env.run()
        return self.year

    def _customer(self, c: Contact) -> Process:
        yield self.env.timeout(c.arrival - self.env.now)
        if c.self_served and c.human_at is None:
            return
        if c.human_at is not None:
            yield self.env.timeout(c.human_at - self.env.now)
        c.queued_at = ms(self.env.now)
        answered = c.sim["answered"] = self.env.event()
        store = self.stores[c.channel]
        yield store.put(c)
        if c.patience is None:
            return
        outcome = yield answered | self.env.timeout(c.patience)
        if answered not in outcome and c in store.items:
            store.items.remove(c)
            c.abandoned_at = ms(self.env.now)

    def _slot(self, agent: Agent, shifts: list[tuple[float, float]]) -> Process:
        store = self.stores[agent.channel]
        speaks = agent.languages
        for begin, end in shifts:
            if self.env.now < begin:
                yield self.env.timeout(begin - self.env.now)
            while self.env.now < end:
                get = store.get(lambda c: c.language in speaks)
                outcome = yield get | self.env.timeout(end - self.env.now)
                if get not in outcome:
                    get.cancel()
                    break
                yield from self._handle(agent, outcome[get])

    def _handle(self, agent: Agent, c: Contact) -> Process:
        ring = lognormal(self.rng, self.preset.ring_mean_s, self.preset.ring_sigma)
        if c.answered_at is None:
            c.sim["answered"].succeed()
            c.answered_at, c.agent = ms(self.env.now + ring), agent.id
            if c.transfer_split is not None:
                yield self.env.timeout(ring + c.handle * c.transfer_split)
                c.transfer_at = ms(self.env.now)
                yield self.stores[c.channel].put(c)
                return
            yield self.env.timeout(ring + c.handle)
        else:
            c.answered2_at, c.agent2 = ms(self.env.now + ring), agent.id
            assert c.transfer_split is not None
            yield self.env.timeout(ring + c.handle * (1 - c.transfer_split))
        c.resolved_at = ms(self.env.now)
        self._after(c)

    def _after(self, c: Contact) -> None:
        """A resolved contact: maybe a survey reply, an evaluation, and a repeat contact."""
        p = self.preset
        assert c.resolved_at is not None
        if self.rng.random() < p.survey_reply_rate:
            c.survey_score = self.rng.choices(range(1, 6), weights=p.survey_scores)[0]
            c.survey_at = ms(c.resolved_at + self.rng.uniform(600, 2 * 86_400))
        if self.rng.random() < p.quality_rate:
            score = min(100.0, max(0.0, self.rng.gauss(p.quality_mean, p.quality_sd)))
            c.quality_score = round(score, 2)
            c.quality_at = ms(c.resolved_at + self.rng.uniform(1, 60))
        if c.repeat_of is None and self.rng.random() < p.repeat_rate:
            self._repeat(c)

    def _repeat(self, first: Contact) -> None:
        assert first.resolved_at is not None
        window = self.preset.repeat_within_days * 86_400
        arrival = first.resolved_at + self.rng.uniform(3_600, window)
        if self.preset.channels[first.channel].open_hours_only:
            arrival = self._next_open(arrival)
        # The FCR window is seven days from the resolution, its end included.
        if arrival - first.resolved_at > 7 * 86_400:
            return
        first.repeated = True
        again = Contact(
            len(self.year.contacts), first.channel, first.language, first.text, first.customer,
            ms(arrival), repeat_of=first.key,
        )  # fmt: skip
        _draw_handling(self.preset, self.rng, again)
        self.year.contacts.append(again)
        self.env.process(self._customer(again))

    def _next_open(self, seconds: float) -> float:
        moment = self.year.period.moment(seconds)
        for begin, end in self.calendar.open_intervals(moment):
            if end > moment:
                return self.year.period.seconds(max(begin, moment)) + self.rng.uniform(0, 1800)
        return seconds


def simulate(preset: Preset, zone: ZoneInfo, texts: Texts, seed: int, days: float | None = None) -> Year:
    """The preset's year (or its first `days`) planned and run: every contact with its outcome."""
    year = plan_year(preset, zone, texts, seed, days)
    return Run(preset, year, seed).run()
