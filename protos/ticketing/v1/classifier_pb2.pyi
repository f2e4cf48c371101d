import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from ticketing.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ClassifyRequest(_message.Message):
    __slots__ = ("text", "subject", "channel", "language_hint", "customer_tier", "documents_text")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_HINT_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_TIER_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_TEXT_FIELD_NUMBER: _ClassVar[int]
    text: str
    subject: str
    channel: _common_pb2.Channel
    language_hint: str
    customer_tier: str
    documents_text: str
    def __init__(self, text: _Optional[str] = ..., subject: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., language_hint: _Optional[str] = ..., customer_tier: _Optional[str] = ..., documents_text: _Optional[str] = ...) -> None: ...

class ClassifyResponse(_message.Message):
    __slots__ = ("queue", "intent", "language", "priority", "priority_reason", "confidence", "model_version", "explanation", "faq_answer", "reason", "faq_id", "faq_confidence")
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    INTENT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_REASON_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    FAQ_ANSWER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FAQ_ID_FIELD_NUMBER: _ClassVar[int]
    FAQ_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    queue: str
    intent: str
    language: str
    priority: _common_pb2.Priority
    priority_reason: str
    confidence: float
    model_version: str
    explanation: _containers.RepeatedScalarFieldContainer[str]
    faq_answer: str
    reason: str
    faq_id: str
    faq_confidence: float
    def __init__(self, queue: _Optional[str] = ..., intent: _Optional[str] = ..., language: _Optional[str] = ..., priority: _Optional[_Union[_common_pb2.Priority, str]] = ..., priority_reason: _Optional[str] = ..., confidence: _Optional[float] = ..., model_version: _Optional[str] = ..., explanation: _Optional[_Iterable[str]] = ..., faq_answer: _Optional[str] = ..., reason: _Optional[str] = ..., faq_id: _Optional[str] = ..., faq_confidence: _Optional[float] = ...) -> None: ...

class ClassifyBatchRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[ClassifyRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[ClassifyRequest, _Mapping]]] = ...) -> None: ...

class ClassifyBatchResponse(_message.Message):
    __slots__ = ("responses",)
    RESPONSES_FIELD_NUMBER: _ClassVar[int]
    responses: _containers.RepeatedCompositeFieldContainer[ClassifyResponse]
    def __init__(self, responses: _Optional[_Iterable[_Union[ClassifyResponse, _Mapping]]] = ...) -> None: ...

class GetModelInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetModelInfoResponse(_message.Message):
    __slots__ = ("model_version", "kind", "trained_at", "validation", "data_checksums")
    class ValidationEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class DataChecksumsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TRAINED_AT_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_FIELD_NUMBER: _ClassVar[int]
    DATA_CHECKSUMS_FIELD_NUMBER: _ClassVar[int]
    model_version: str
    kind: str
    trained_at: _timestamp_pb2.Timestamp
    validation: _containers.ScalarMap[str, float]
    data_checksums: _containers.ScalarMap[str, str]
    def __init__(self, model_version: _Optional[str] = ..., kind: _Optional[str] = ..., trained_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., validation: _Optional[_Mapping[str, float]] = ..., data_checksums: _Optional[_Mapping[str, str]] = ...) -> None: ...
