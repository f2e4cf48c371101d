"""Episodes of classification trouble (fallbacks, shed inquiries): one log line as one starts and one as it
ends, with its counts, instead of a line per inquiry (pure: the caller passes the clock and logs)."""

from collections import Counter
from dataclasses import dataclass, field

# An episode ends at the classifier's first answer this long after its last inquiry: under a
# sustained overload answers and fallbacks (or sheds) interleave, and one episode is one line pair,
# not a pair per flip. Longer merges bursts into one episode; shorter reports recoveries sooner.
QUIET_S = 1.0


@dataclass
class Episode:
    """One kind of trouble (`what`): open from its first inquiry until the classifier next answers."""

    what: str
    started_at: float | None = None
    last_hit_at: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def active(self) -> bool:
        return self.started_at is not None

    def hit(self, reason: str, now: float) -> str | None:
        """Counts one inquiry; the line to log when this one opens the episode."""
        self.reasons[reason] += 1
        self.last_hit_at = now
        if self.started_at is not None:
            return None
        self.started_at = now
        return f"classifier {self.what} started ({reason})"

    def answered(self, now: float) -> str | None:
        """The classifier answered: the line to log when that ends an episode (QUIET_S after its last
        inquiry)."""
        if self.started_at is None or now - self.last_hit_at < QUIET_S:
            return None
        counts = ", ".join(f"{reason} {n}" for reason, n in sorted(self.reasons.items()))
        line = (
            f"classifier {self.what} ended after {self.last_hit_at - self.started_at:.1f} s: "
            f"{sum(self.reasons.values())} inquiries ({counts})"
        )
        self.started_at = None
        self.reasons = Counter()
        return line


@dataclass
class Episodes:
    """The episodes of one gateway process: inquiries routed by fallback, and inquiries shed (429)."""

    fallback: Episode = field(default_factory=lambda: Episode("fallback"))
    shed: Episode = field(default_factory=lambda: Episode("shedding"))


def admission(*, line_full: bool, failing: bool) -> str:
    """What happens to an inquiry about to be classified: `queue` (wait in line, up to the deadline),
    `shed` (429 with Retry-After) or `fallback` (triage at once).

    A full line in front of a classifier that answers means it is slow, not down: the inquiry is
    refused at the door and retried, which keeps its routing. A full line while the classifier is
    failing (the last call failed or passed its deadline) is a classifier that does not answer: the
    inquiry lands in triage rather than be refused, since intake never fails for a peer away.
    """
    if not line_full:
        return "queue"
    return "fallback" if failing else "shed"
