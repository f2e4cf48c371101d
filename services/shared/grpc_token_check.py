"""The server side of the internal credential: a call without the right bearer secret is UNAUTHENTICATED."""

from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from services.shared.internal_credential import presents

# Container and Kubernetes gRPC probes cannot send metadata, and these answer only SERVING or not.
HEALTH_METHODS = frozenset({"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"})
REFUSAL = "missing or wrong internal credential"


async def _refuse(_request: Any, context: grpc.aio.ServicerContext) -> None:
    await context.abort(grpc.StatusCode.UNAUTHENTICATED, REFUSAL)


# A refusal of the same shape as the method it stands in for, so a streaming client gets the status
# at once rather than a protocol error; requests stay undecoded bytes (no deserializer).
_REFUSALS = {
    (False, False): grpc.unary_unary_rpc_method_handler(_refuse),
    (False, True): grpc.unary_stream_rpc_method_handler(_refuse),
    (True, False): grpc.stream_unary_rpc_method_handler(_refuse),
    (True, True): grpc.stream_stream_rpc_method_handler(_refuse),
}


class RequireToken(grpc.aio.ServerInterceptor):
    def __init__(self, expected: bytes, open_methods: frozenset[str] = HEALTH_METHODS):
        self._expected = expected
        self._open = open_methods

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler_call_details.method in self._open:
            return handler
        if presents(handler_call_details.invocation_metadata, self._expected):
            return handler
        # An unknown method is refused the same way: without the secret a caller learns no method names.
        if handler is None:
            return _REFUSALS[False, False]
        return _REFUSALS[handler.request_streaming, handler.response_streaming]
