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
    __slots__ = ("to", "channel", "queue", "sl_threshold_s", "short_abandon_s")
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    SL_THRESHOLD_S_FIELD_NUMBER: _ClassVar[int]
    SHORT_ABANDON_S_FIELD_NUMBER: _ClassVar[int]
    to: _timestamp_pb2.Timestamp
    channel: _common_pb2.Channel
    queue: str
    sl_threshold_s: int
    short_abandon_s: int
    def __init__(self, to: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., queue: _Optional[str] = ..., sl_threshold_s: _Optional[int] = ..., short_abandon_s: _Optional[int] = ..., **kwargs) -> None: ...

class KpiFigures(_message.Message):
    __slots__ = ("offered", "answered", "abandoned", "waiting", "self_served", "asa_s", "avg_wait_s", "service_level", "abandonment_rate", "aht_s", "resolved")
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
    def __init__(self, offered: _Optional[int] = ..., answered: _Optional[int] = ..., abandoned: _Optional[int] = ..., waiting: _Optional[int] = ..., self_served: _Optional[int] = ..., asa_s: _Optional[float] = ..., avg_wait_s: _Optional[float] = ..., service_level: _Optional[float] = ..., abandonment_rate: _Optional[float] = ..., aht_s: _Optional[float] = ..., resolved: _Optional[int] = ...) -> None: ...

class GetKpisResponse(_message.Message):
    __slots__ = ("overall", "by_channel", "formula_version", "recorded_through")
    class ByChannelEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: KpiFigures
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[KpiFigures, _Mapping]] = ...) -> None: ...
    OVERALL_FIELD_NUMBER: _ClassVar[int]
    BY_CHANNEL_FIELD_NUMBER: _ClassVar[int]
    FORMULA_VERSION_FIELD_NUMBER: _ClassVar[int]
    RECORDED_THROUGH_FIELD_NUMBER: _ClassVar[int]
    overall: KpiFigures
    by_channel: _containers.MessageMap[str, KpiFigures]
    formula_version: str
    recorded_through: _timestamp_pb2.Timestamp
    def __init__(self, overall: _Optional[_Union[KpiFigures, _Mapping]] = ..., by_channel: _Optional[_Mapping[str, KpiFigures]] = ..., formula_version: _Optional[str] = ..., recorded_through: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

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
    __slots__ = ("queues", "as_of")
    QUEUES_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    queues: _containers.RepeatedCompositeFieldContainer[QueueFigures]
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, queues: _Optional[_Iterable[_Union[QueueFigures, _Mapping]]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
