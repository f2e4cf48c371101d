import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from ticketing.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetKpisRequest(_message.Message):
    __slots__ = ("to", "channel", "queue", "sl_threshold_s", "short_abandon_s", "agent_id")
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    SL_THRESHOLD_S_FIELD_NUMBER: _ClassVar[int]
    SHORT_ABANDON_S_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    to: _timestamp_pb2.Timestamp
    channel: _common_pb2.Channel
    queue: str
    sl_threshold_s: int
    short_abandon_s: int
    agent_id: int
    def __init__(self, to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., queue: _Optional[str] = ..., sl_threshold_s: _Optional[int] = ..., short_abandon_s: _Optional[int] = ..., agent_id: _Optional[int] = ..., **kwargs) -> None: ...

class KpiFigures(_message.Message):
    __slots__ = ("offered", "answered", "abandoned", "waiting", "self_served", "asa_s", "avg_wait_s", "service_level", "abandonment_rate", "aht_s", "resolved", "fcr", "csat", "quality", "incoming", "containment_rate", "survey_replies", "evaluations", "occupancy")
    OFFERED_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_FIELD_NUMBER: _ClassVar[int]
    ABANDONED_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    SELF_SERVED_FIELD_NUMBER: _ClassVar[int]
    ASA_S_FIELD_NUMBER: _ClassVar[int]
    AVG_WAIT_S_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    ABANDONMENT_RATE_FIELD_NUMBER: _ClassVar[int]
    AHT_S_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_FIELD_NUMBER: _ClassVar[int]
    FCR_FIELD_NUMBER: _ClassVar[int]
    CSAT_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    INCOMING_FIELD_NUMBER: _ClassVar[int]
    CONTAINMENT_RATE_FIELD_NUMBER: _ClassVar[int]
    SURVEY_REPLIES_FIELD_NUMBER: _ClassVar[int]
    EVALUATIONS_FIELD_NUMBER: _ClassVar[int]
    OCCUPANCY_FIELD_NUMBER: _ClassVar[int]
    offered: int
    answered: int
    abandoned: int
    waiting: int
    self_served: int
    asa_s: float
    avg_wait_s: float
    service_level: float
    abandonment_rate: float
    aht_s: float
    resolved: int
    fcr: float
    csat: float
    quality: float
    incoming: int
    containment_rate: float
    survey_replies: int
    evaluations: int
    occupancy: float
    def __init__(self, offered: _Optional[int] = ..., answered: _Optional[int] = ..., abandoned: _Optional[int] = ..., waiting: _Optional[int] = ..., self_served: _Optional[int] = ..., asa_s: _Optional[float] = ..., avg_wait_s: _Optional[float] = ..., service_level: _Optional[float] = ..., abandonment_rate: _Optional[float] = ..., aht_s: _Optional[float] = ..., resolved: _Optional[int] = ..., fcr: _Optional[float] = ..., csat: _Optional[float] = ..., quality: _Optional[float] = ..., incoming: _Optional[int] = ..., containment_rate: _Optional[float] = ..., survey_replies: _Optional[int] = ..., evaluations: _Optional[int] = ..., occupancy: _Optional[float] = ...) -> None: ...

class GetKpisResponse(_message.Message):
    __slots__ = ("overall", "by_channel", "formula_version", "recorded_through", "by_queue", "by_agent", "time_zone")
    class ByChannelEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: KpiFigures
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[KpiFigures, _Mapping]] = ...) -> None: ...
    class ByQueueEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: KpiFigures
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[KpiFigures, _Mapping]] = ...) -> None: ...
    class ByAgentEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: KpiFigures
        def __init__(self, key: _Optional[int] = ..., value: _Optional[_Union[KpiFigures, _Mapping]] = ...) -> None: ...
    OVERALL_FIELD_NUMBER: _ClassVar[int]
    BY_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    FORMULA_VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_THROUGH_FIELD_NUMBER: _ClassVar[int]
    BY_QUEUE_FIELD_NUMBER: _ClassVar[int]
    BY_AGENT_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    overall: KpiFigures
    by_channel: _containers.MessageMap[str, KpiFigures]
    formula_version: str
    recorded_through: _timestamp_pb2.Timestamp
    by_queue: _containers.MessageMap[str, KpiFigures]
    by_agent: _containers.MessageMap[int, KpiFigures]
    time_zone: str
    def __init__(self, overall: _Optional[_Union[KpiFigures, _Mapping]] = ..., by_channel: _Optional[_Mapping[str, KpiFigures]] = ..., formula_version: _Optional[str] = ..., recorded_through: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., by_queue: _Optional[_Mapping[str, KpiFigures]] = ..., by_agent: _Optional[_Mapping[int, KpiFigures]] = ..., time_zone: _Optional[str] = ...) -> None: ...

class GetQueueFiguresRequest(_message.Message):
    __slots__ = ("queue",)
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    queue: str
    def __init__(self, queue: _Optional[str] = ...) -> None: ...

class QueueFigures(_message.Message):
    __slots__ = ("queue", "waiting", "longest_wait_s", "in_progress", "answered_today", "abandoned_today")
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    LONGEST_WAIT_S_FIELD_NUMBER: _ClassVar[int]
    IN_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_TODAY_FIELD_NUMBER: _ClassVar[int]
    ABANDONED_TODAY_FIELD_NUMBER: _ClassVar[int]
    queue: str
    waiting: int
    longest_wait_s: float
    in_progress: int
    answered_today: int
    abandoned_today: int
    def __init__(self, queue: _Optional[str] = ..., waiting: _Optional[int] = ..., longest_wait_s: _Optional[float] = ..., in_progress: _Optional[int] = ..., answered_today: _Optional[int] = ..., abandoned_today: _Optional[int] = ...) -> None: ...

class GetQueueFiguresResponse(_message.Message):
    __slots__ = ("queues", "as_of", "time_zone")
    QUEUES_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    queues: _containers.RepeatedCompositeFieldContainer[QueueFigures]
    as_of: _timestamp_pb2.Timestamp
    time_zone: str
    def __init__(self, queues: _Optional[_Iterable[_Union[QueueFigures, _Mapping]]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., time_zone: _Optional[str] = ...) -> None: ...

class GetReportRequest(_message.Message):
    __slots__ = ("year",)
    YEAR_FIELD_NUMBER: _ClassVar[int]
    year: int
    def __init__(self, year: _Optional[int] = ...) -> None: ...

class ReportYear(_message.Message):
    __slots__ = ("year", "overall", "by_channel", "by_queue", "months", "channel_months")
    class ByChannelEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: KpiFigures
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[KpiFigures, _Mapping]] = ...) -> None: ...
    class ByQueueEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: KpiFigures
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[KpiFigures, _Mapping]] = ...) -> None: ...
    class ChannelMonthsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: MonthlyFigures
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[MonthlyFigures, _Mapping]] = ...) -> None: ...
    YEAR_FIELD_NUMBER: _ClassVar[int]
    OVERALL_FIELD_NUMBER: _ClassVar[int]
    BY_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    BY_QUEUE_FIELD_NUMBER: _ClassVar[int]
    MONTHS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_MONTHS_FIELD_NUMBER: _ClassVar[int]
    year: int
    overall: KpiFigures
    by_channel: _containers.MessageMap[str, KpiFigures]
    by_queue: _containers.MessageMap[str, KpiFigures]
    months: _containers.RepeatedCompositeFieldContainer[KpiFigures]
    channel_months: _containers.MessageMap[str, MonthlyFigures]
    def __init__(self, year: _Optional[int] = ..., overall: _Optional[_Union[KpiFigures, _Mapping]] = ..., by_channel: _Optional[_Mapping[str, KpiFigures]] = ..., by_queue: _Optional[_Mapping[str, KpiFigures]] = ..., months: _Optional[_Iterable[_Union[KpiFigures, _Mapping]]] = ..., channel_months: _Optional[_Mapping[str, MonthlyFigures]] = ...) -> None: ...

class MonthlyFigures(_message.Message):
    __slots__ = ("months",)
    MONTHS_FIELD_NUMBER: _ClassVar[int]
    months: _containers.RepeatedCompositeFieldContainer[KpiFigures]
    def __init__(self, months: _Optional[_Iterable[_Union[KpiFigures, _Mapping]]] = ...) -> None: ...

class GetReportResponse(_message.Message):
    __slots__ = ("current", "previous", "formula_version", "recorded_through", "generated_at", "sl_threshold_s", "time_zone", "demand")
    class SlThresholdSEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    FORMULA_VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_THROUGH_FIELD_NUMBER: _ClassVar[int]
    GENERATED_AT_FIELD_NUMBER: _ClassVar[int]
    SL_THRESHOLD_S_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    DEMAND_FIELD_NUMBER: _ClassVar[int]
    current: ReportYear
    previous: ReportYear
    formula_version: str
    recorded_through: _timestamp_pb2.Timestamp
    generated_at: _timestamp_pb2.Timestamp
    sl_threshold_s: _containers.ScalarMap[str, float]
    time_zone: str
    demand: _containers.RepeatedCompositeFieldContainer[IntentWeeks]
    def __init__(self, current: _Optional[_Union[ReportYear, _Mapping]] = ..., previous: _Optional[_Union[ReportYear, _Mapping]] = ..., formula_version: _Optional[str] = ..., recorded_through: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., generated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sl_threshold_s: _Optional[_Mapping[str, float]] = ..., time_zone: _Optional[str] = ..., demand: _Optional[_Iterable[_Union[IntentWeeks, _Mapping]]] = ...) -> None: ...

class IntentWeeks(_message.Message):
    __slots__ = ("intent", "weeks")
    INTENT_FIELD_NUMBER: _ClassVar[int]
    WEEKS_FIELD_NUMBER: _ClassVar[int]
    intent: str
    weeks: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, intent: _Optional[str] = ..., weeks: _Optional[_Iterable[int]] = ...) -> None: ...

class WatchLiveRequest(_message.Message):
    __slots__ = ("interval_ms",)
    INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    interval_ms: int
    def __init__(self, interval_ms: _Optional[int] = ...) -> None: ...

class AgentStates(_message.Message):
    __slots__ = ("available", "busy", "away", "offline")
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    BUSY_FIELD_NUMBER: _ClassVar[int]
    AWAY_FIELD_NUMBER: _ClassVar[int]
    OFFLINE_FIELD_NUMBER: _ClassVar[int]
    available: int
    busy: int
    away: int
    offline: int
    def __init__(self, available: _Optional[int] = ..., busy: _Optional[int] = ..., away: _Optional[int] = ..., offline: _Optional[int] = ...) -> None: ...

class LiveQueue(_message.Message):
    __slots__ = ("queue", "waiting", "longest_wait_s", "agents", "today")
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    LONGEST_WAIT_S_FIELD_NUMBER: _ClassVar[int]
    AGENTS_FIELD_NUMBER: _ClassVar[int]
    TODAY_FIELD_NUMBER: _ClassVar[int]
    queue: str
    waiting: int
    longest_wait_s: float
    agents: AgentStates
    today: KpiFigures
    def __init__(self, queue: _Optional[str] = ..., waiting: _Optional[int] = ..., longest_wait_s: _Optional[float] = ..., agents: _Optional[_Union[AgentStates, _Mapping]] = ..., today: _Optional[_Union[KpiFigures, _Mapping]] = ...) -> None: ...

class LiveChannel(_message.Message):
    __slots__ = ("channel", "waiting", "longest_wait_s", "today", "sl_threshold_s")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    LONGEST_WAIT_S_FIELD_NUMBER: _ClassVar[int]
    TODAY_FIELD_NUMBER: _ClassVar[int]
    SL_THRESHOLD_S_FIELD_NUMBER: _ClassVar[int]
    channel: str
    waiting: int
    longest_wait_s: float
    today: KpiFigures
    sl_threshold_s: float
    def __init__(self, channel: _Optional[str] = ..., waiting: _Optional[int] = ..., longest_wait_s: _Optional[float] = ..., today: _Optional[_Union[KpiFigures, _Mapping]] = ..., sl_threshold_s: _Optional[float] = ...) -> None: ...

class LiveFigures(_message.Message):
    __slots__ = ("as_of", "queues", "channels", "agents", "today", "time_zone", "agent_occupancy")
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    QUEUES_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    AGENTS_FIELD_NUMBER: _ClassVar[int]
    TODAY_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    AGENT_OCCUPANCY_FIELD_NUMBER: _ClassVar[int]
    as_of: _timestamp_pb2.Timestamp
    queues: _containers.RepeatedCompositeFieldContainer[LiveQueue]
    channels: _containers.RepeatedCompositeFieldContainer[LiveChannel]
    agents: AgentStates
    today: KpiFigures
    time_zone: str
    agent_occupancy: _containers.RepeatedCompositeFieldContainer[LiveAgent]
    def __init__(self, as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., queues: _Optional[_Iterable[_Union[LiveQueue, _Mapping]]] = ..., channels: _Optional[_Iterable[_Union[LiveChannel, _Mapping]]] = ..., agents: _Optional[_Union[AgentStates, _Mapping]] = ..., today: _Optional[_Union[KpiFigures, _Mapping]] = ..., time_zone: _Optional[str] = ..., agent_occupancy: _Optional[_Iterable[_Union[LiveAgent, _Mapping]]] = ...) -> None: ...

class LiveAgent(_message.Message):
    __slots__ = ("agent_id", "name", "occupancy", "available_s", "handling_s")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OCCUPANCY_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_S_FIELD_NUMBER: _ClassVar[int]
    HANDLING_S_FIELD_NUMBER: _ClassVar[int]
    agent_id: int
    name: str
    occupancy: float
    available_s: float
    handling_s: float
    def __init__(self, agent_id: _Optional[int] = ..., name: _Optional[str] = ..., occupancy: _Optional[float] = ..., available_s: _Optional[float] = ..., handling_s: _Optional[float] = ...) -> None: ...

class ExportTicketsRequest(_message.Message):
    __slots__ = ("to",)
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    to: _timestamp_pb2.Timestamp
    def __init__(self, to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., **kwargs) -> None: ...

class ExportChunk(_message.Message):
    __slots__ = ("csv",)
    CSV_FIELD_NUMBER: _ClassVar[int]
    csv: str
    def __init__(self, csv: _Optional[str] = ...) -> None: ...

class GetFollowerStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetFollowerStatusResponse(_message.Message):
    __slots__ = ("events_behind", "oldest_unprocessed_age_s", "set_aside", "stuck", "stuck_after_s", "caught_up_at")
    EVENTS_BEHIND_FIELD_NUMBER: _ClassVar[int]
    OLDEST_UNPROCESSED_AGE_S_FIELD_NUMBER: _ClassVar[int]
    SET_ASIDE_FIELD_NUMBER: _ClassVar[int]
    STUCK_FIELD_NUMBER: _ClassVar[int]
    STUCK_AFTER_S_FIELD_NUMBER: _ClassVar[int]
    CAUGHT_UP_AT_FIELD_NUMBER: _ClassVar[int]
    events_behind: int
    oldest_unprocessed_age_s: float
    set_aside: int
    stuck: bool
    stuck_after_s: float
    caught_up_at: _timestamp_pb2.Timestamp
    def __init__(self, events_behind: _Optional[int] = ..., oldest_unprocessed_age_s: _Optional[float] = ..., set_aside: _Optional[int] = ..., stuck: _Optional[bool] = ..., stuck_after_s: _Optional[float] = ..., caught_up_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListSetAsideEventsRequest(_message.Message):
    __slots__ = ("after_id", "limit")
    AFTER_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    after_id: int
    limit: int
    def __init__(self, after_id: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class SetAsideEvent(_message.Message):
    __slots__ = ("event_id", "ticket_id", "reason", "set_aside_at")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SET_ASIDE_AT_FIELD_NUMBER: _ClassVar[int]
    event_id: int
    ticket_id: int
    reason: str
    set_aside_at: _timestamp_pb2.Timestamp
    def __init__(self, event_id: _Optional[int] = ..., ticket_id: _Optional[int] = ..., reason: _Optional[str] = ..., set_aside_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListSetAsideEventsResponse(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[SetAsideEvent]
    def __init__(self, events: _Optional[_Iterable[_Union[SetAsideEvent, _Mapping]]] = ...) -> None: ...

class GetDemandRequest(_message.Message):
    __slots__ = ("iso_year", "iso_week", "top_phrases")
    ISO_YEAR_FIELD_NUMBER: _ClassVar[int]
    ISO_WEEK_FIELD_NUMBER: _ClassVar[int]
    TOP_PHRASES_FIELD_NUMBER: _ClassVar[int]
    iso_year: int
    iso_week: int
    top_phrases: int
    def __init__(self, iso_year: _Optional[int] = ..., iso_week: _Optional[int] = ..., top_phrases: _Optional[int] = ...) -> None: ...

class DemandCount(_message.Message):
    __slots__ = ("key", "this_week", "last_week", "same_week_last_year", "baseline_mean", "p_value", "q_value", "flag")
    KEY_FIELD_NUMBER: _ClassVar[int]
    THIS_WEEK_FIELD_NUMBER: _ClassVar[int]
    LAST_WEEK_FIELD_NUMBER: _ClassVar[int]
    SAME_WEEK_LAST_YEAR_FIELD_NUMBER: _ClassVar[int]
    BASELINE_MEAN_FIELD_NUMBER: _ClassVar[int]
    P_VALUE_FIELD_NUMBER: _ClassVar[int]
    Q_VALUE_FIELD_NUMBER: _ClassVar[int]
    FLAG_FIELD_NUMBER: _ClassVar[int]
    key: str
    this_week: int
    last_week: int
    same_week_last_year: int
    baseline_mean: float
    p_value: float
    q_value: float
    flag: str
    def __init__(self, key: _Optional[str] = ..., this_week: _Optional[int] = ..., last_week: _Optional[int] = ..., same_week_last_year: _Optional[int] = ..., baseline_mean: _Optional[float] = ..., p_value: _Optional[float] = ..., q_value: _Optional[float] = ..., flag: _Optional[str] = ...) -> None: ...

class DemandPhrase(_message.Message):
    __slots__ = ("phrase", "count", "total", "z", "example_ticket_ids")
    PHRASE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    Z_FIELD_NUMBER: _ClassVar[int]
    EXAMPLE_TICKET_IDS_FIELD_NUMBER: _ClassVar[int]
    phrase: str
    count: int
    total: int
    z: float
    example_ticket_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, phrase: _Optional[str] = ..., count: _Optional[int] = ..., total: _Optional[int] = ..., z: _Optional[float] = ..., example_ticket_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class GetDemandResponse(_message.Message):
    __slots__ = ("week", "same_week_last_year", "to", "time_zone", "by_intent", "by_queue", "by_channel", "phrases", "inquiries", "unplaced", "baseline_weeks", "alpha", "min_count")
    WEEK_FIELD_NUMBER: _ClassVar[int]
    SAME_WEEK_LAST_YEAR_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    BY_INTENT_FIELD_NUMBER: _ClassVar[int]
    BY_QUEUE_FIELD_NUMBER: _ClassVar[int]
    BY_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    PHRASES_FIELD_NUMBER: _ClassVar[int]
    INQUIRIES_FIELD_NUMBER: _ClassVar[int]
    UNPLACED_FIELD_NUMBER: _ClassVar[int]
    BASELINE_WEEKS_FIELD_NUMBER: _ClassVar[int]
    ALPHA_FIELD_NUMBER: _ClassVar[int]
    MIN_COUNT_FIELD_NUMBER: _ClassVar[int]
    week: str
    same_week_last_year: str
    to: _timestamp_pb2.Timestamp
    time_zone: str
    by_intent: _containers.RepeatedCompositeFieldContainer[DemandCount]
    by_queue: _containers.RepeatedCompositeFieldContainer[DemandCount]
    by_channel: _containers.RepeatedCompositeFieldContainer[DemandCount]
    phrases: _containers.RepeatedCompositeFieldContainer[DemandPhrase]
    inquiries: int
    unplaced: int
    baseline_weeks: int
    alpha: float
    min_count: int
    def __init__(self, week: _Optional[str] = ..., same_week_last_year: _Optional[str] = ..., to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., time_zone: _Optional[str] = ..., by_intent: _Optional[_Iterable[_Union[DemandCount, _Mapping]]] = ..., by_queue: _Optional[_Iterable[_Union[DemandCount, _Mapping]]] = ..., by_channel: _Optional[_Iterable[_Union[DemandCount, _Mapping]]] = ..., phrases: _Optional[_Iterable[_Union[DemandPhrase, _Mapping]]] = ..., inquiries: _Optional[int] = ..., unplaced: _Optional[int] = ..., baseline_weeks: _Optional[int] = ..., alpha: _Optional[float] = ..., min_count: _Optional[int] = ..., **kwargs) -> None: ...
