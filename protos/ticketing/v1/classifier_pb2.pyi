from ticketing.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ClassifyRequest(_message.Message):
    __slots__ = ("text", "subject", "channel", "language_hint", "customer_tier")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_HINT_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_TIER_FIELD_NUMBER: _ClassVar[int]
    text: str
    subject: str
    channel: _common_pb2.Channel
    language_hint: str
    customer_tier: str
    def __init__(self, text: _Optional[str] = ..., subject: _Optional[str] = ..., channel: _Optional[_Union[_common_pb2.Channel, str]] = ..., language_hint: _Optional[str] = ..., customer_tier: _Optional[str] = ...) -> None: ...

class ClassifyResponse(_message.Message):
    __slots__ = ("queue", "intent", "language", "priority", "priority_reason", "confidence", "model_version", "explanation", "faq_answer", "reason")
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
    def __init__(self, queue: _Optional[str] = ..., intent: _Optional[str] = ..., language: _Optional[str] = ..., priority: _Optional[_Union[_common_pb2.Priority, str]] = ..., priority_reason: _Optional[str] = ..., confidence: _Optional[float] = ..., model_version: _Optional[str] = ..., explanation: _Optional[_Iterable[str]] = ..., faq_answer: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...
