"""The internal gRPC credential: the secret is required and long, compared exactly, TLS set as a pair."""

from pathlib import Path

import pytest

from services.shared.internal_credential import (
    ClientSecurity,
    ServerSecurity,
    call_metadata,
    presents,
)
from services.shared.settings import SettingsError

TOKEN = "k" * 40
EXPECTED = f"Bearer {TOKEN}".encode()


def test_the_metadata_a_client_sends_is_what_the_server_expects() -> None:
    assert presents(call_metadata(TOKEN), EXPECTED)
    assert presents([("x-other", "1"), *call_metadata(TOKEN)], EXPECTED)


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        [],
        [("authorization", f"Bearer {TOKEN[:-1]}")],
        [("authorization", f"Bearer {TOKEN}x")],
        [("authorization", TOKEN)],
        [("authorization", f"Basic {TOKEN}")],
        [("authorization", "Bearer ü")],
        [("x-authorization", f"Bearer {TOKEN}")],
        # Only the first value counts: a second, right one does not rescue a wrong first.
        [("authorization", "Bearer wrong"), ("authorization", f"Bearer {TOKEN}")],
    ],
)
def test_anything_but_the_exact_secret_is_refused(metadata: list[tuple[str, str]] | None) -> None:
    assert not presents(metadata, EXPECTED)


def test_the_secret_is_required_long_and_plain() -> None:
    with pytest.raises(SettingsError, match="INTERNAL_GRPC_TOKEN is required"):
        ServerSecurity.from_env({})
    with pytest.raises(SettingsError, match="at least 32 characters, not 31"):
        ClientSecurity.from_env({"INTERNAL_GRPC_TOKEN": "k" * 31})
    with pytest.raises(SettingsError, match="printable ASCII"):
        ClientSecurity.from_env({"INTERNAL_GRPC_TOKEN": "k" * 31 + " x"})
    assert ClientSecurity.from_env({"INTERNAL_GRPC_TOKEN": TOKEN}) == ClientSecurity(TOKEN, None)


def test_the_secret_never_shows_in_a_repr() -> None:
    assert TOKEN not in repr(ServerSecurity(TOKEN))
    assert TOKEN not in repr(ClientSecurity(TOKEN))


def test_reflection_is_off_unless_asked_for() -> None:
    assert ServerSecurity.from_env({"INTERNAL_GRPC_TOKEN": TOKEN}).reflection is False
    assert ServerSecurity.from_env({"INTERNAL_GRPC_TOKEN": TOKEN, "GRPC_REFLECTION": "1"}).reflection is True


def test_tls_certificate_and_key_come_together(tmp_path: Path) -> None:
    cert, key, ca = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    for path in (cert, key, ca):
        path.write_text("-----BEGIN-----\n")
    env = {"INTERNAL_GRPC_TOKEN": TOKEN}
    with pytest.raises(SettingsError, match="GRPC_TLS_CERT and GRPC_TLS_KEY"):
        ServerSecurity.from_env(env | {"GRPC_TLS_CERT": str(cert)})
    with pytest.raises(SettingsError, match="GRPC_TLS_KEY: no such file"):
        ServerSecurity.from_env(env | {"GRPC_TLS_CERT": str(cert), "GRPC_TLS_KEY": str(tmp_path / "nope")})
    both = ServerSecurity.from_env(env | {"GRPC_TLS_CERT": str(cert), "GRPC_TLS_KEY": str(key)})
    assert (both.tls_cert, both.tls_key) == (cert, key)
    assert ClientSecurity.from_env(env | {"GRPC_TLS_CA": str(ca)}).tls_ca == ca
