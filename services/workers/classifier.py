"""One channel to the classifier per worker process: opened at first use, after the prefork pool forked."""

import os
import threading

import grpc
from ticketing.v1 import classifier_pb2_grpc

from services.shared import grpc_channels
from services.shared.internal_credential import ClientSecurity


class ProcessClassifier:
    """gRPC's core must not cross a fork with a channel open: each process opens its own, lazily."""

    def __init__(self, addr: str, security: ClientSecurity):
        self._addr = addr
        self._security = security
        self._lock = threading.Lock()
        self._channel: grpc.Channel | None = None
        self._stub: classifier_pb2_grpc.ClassifierServiceStub | None = None
        self._pid = 0

    def get(self) -> classifier_pb2_grpc.ClassifierServiceStub:
        with self._lock:
            if self._stub is None or self._pid != os.getpid():
                self._channel = grpc_channels.channel(self._addr, self._security)
                self._stub = classifier_pb2_grpc.ClassifierServiceStub(self._channel)
                self._pid = os.getpid()
            return self._stub
