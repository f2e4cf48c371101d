"""A simulated contact: what the customer does and what the model decided for it (plain data).

Times are seconds since the start of the simulated period (floats rounded to milliseconds), so
the model and the HTTP driver agree to the millisecond on every event the stack records.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class Contact:
    key: int
    channel: str
    language: str
    text: str
    customer: int
    arrival: float
    # Answered by the IVR (calls) or the FAQ at intake; `human_at`: when the customer then asked for a
    # person (None: satisfied).
    self_served: bool = False
    human_at: float | None = None
    patience: float | None = None
    handle: float = 0.0
    # Where a transfer cuts the handling (a share of `handle`); None: no transfer.
    transfer_split: float | None = None
    repeat_of: int | None = None
    # Decided by the model's run.
    queued_at: float | None = None
    abandoned_at: float | None = None
    answered_at: float | None = None
    agent: int | None = None
    transfer_at: float | None = None
    answered2_at: float | None = None
    agent2: int | None = None
    resolved_at: float | None = None
    repeated: bool = False
    survey_score: int | None = None
    survey_at: float | None = None
    quality_score: float | None = None
    quality_at: float | None = None
    # The model's own bookkeeping (simpy events), never sent.
    sim: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def offered(self) -> bool:
        return self.queued_at is not None

    @property
    def handle_s(self) -> float:
        """Handling time as the stack counts it: the sum of the agents' segments."""
        assert self.resolved_at is not None and self.answered_at is not None
        if self.transfer_at is None:
            return self.resolved_at - self.answered_at
        assert self.answered2_at is not None
        return (self.transfer_at - self.answered_at) + (self.resolved_at - self.answered2_at)

    @property
    def fcr(self) -> bool:
        return self.resolved_at is not None and self.transfer_at is None and not self.repeated
