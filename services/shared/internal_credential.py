"""The internal gRPC credential: one shared bearer secret on every call, optional TLS, reflection on demand.

A shared secret rather than mutual TLS: it is one value in a compose file or a Kubernetes Secret,
works unchanged through the `make run` launcher and the tests, and rotates by restarting with a new
value; mTLS would add a certificate authority and certificate lifecycle to every deployment. The
secret travels in the clear unless TLS is on (GRPC_TLS_*), so on a network others can read TLS is a
must.
"""

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from services.shared.settings import Env, SettingsError

TOKEN_VAR = "INTERNAL_GRPC_TOKEN"
# 32 characters of a random alphabet leave no room for guessing; `openssl rand -hex 32` gives 64.
MIN_TOKEN_CHARS = 32
HEADER = "authorization"


def read_token(env: Env) -> str:
    token = env.optional(TOKEN_VAR)
    if token is None:
        raise SettingsError(f"{TOKEN_VAR} is required (the internal gRPC secret; e.g. openssl rand -hex 32)")
    if len(token) < MIN_TOKEN_CHARS:
        raise SettingsError(f"{TOKEN_VAR} must be at least {MIN_TOKEN_CHARS} characters, not {len(token)}")
    if not token.isascii() or not token.isprintable() or " " in token:
        raise SettingsError(f"{TOKEN_VAR} must be printable ASCII without spaces")
    return token


def _file(env: Env, name: str) -> Path | None:
    raw = env.optional(name)
    if raw is None:
        return None
    if not Path(raw).is_file():
        raise SettingsError(f"{name}: no such file {raw!r}")
    return Path(raw)


def call_metadata(token: str) -> tuple[tuple[str, str], ...]:
    """The metadata a client adds to every call, built once."""
    return ((HEADER, f"Bearer {token}"),)


def presents(metadata: Iterable[tuple[str, str | bytes]] | None, expected: bytes) -> bool:
    """True when the call's first `authorization` entry is exactly `expected`, compared in constant time."""
    for key, value in metadata or ():
        if key == HEADER:
            given = value if isinstance(value, bytes) else value.encode("utf-8", "surrogateescape")
            return hmac.compare_digest(given, expected)
    return False


@dataclass(frozen=True)
class ServerSecurity:
    """What an internal gRPC server requires of its callers."""

    token: str = field(repr=False)
    # Both set: the server speaks TLS only (GRPC_TLS_CERT, GRPC_TLS_KEY, PEM files).
    tls_cert: Path | None = None
    tls_key: Path | None = None
    # Server reflection (GRPC_REFLECTION=1) helps grpcurl; off, a caller learns nothing it was not told.
    reflection: bool = False

    @property
    def expected(self) -> bytes:
        return f"Bearer {self.token}".encode()

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "ServerSecurity":
        env = Env(environ)
        cert, key = _file(env, "GRPC_TLS_CERT"), _file(env, "GRPC_TLS_KEY")
        if (cert is None) != (key is None):
            raise SettingsError("GRPC_TLS_CERT and GRPC_TLS_KEY are set together or not at all")
        reflection = env.str("GRPC_REFLECTION", "0")
        if reflection not in ("0", "1"):
            raise SettingsError(f"GRPC_REFLECTION must be 0 or 1, not {reflection!r}")
        return cls(token=read_token(env), tls_cert=cert, tls_key=key, reflection=reflection == "1")


@dataclass(frozen=True)
class ClientSecurity:
    """What an internal gRPC client presents: the secret, and the CA to check a TLS server against."""

    token: str = field(repr=False)
    # Set: channels speak TLS and trust this CA (GRPC_TLS_CA, a PEM file).
    tls_ca: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "ClientSecurity":
        env = Env(environ)
        return cls(token=read_token(env), tls_ca=_file(env, "GRPC_TLS_CA"))
