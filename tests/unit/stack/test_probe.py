"""The probe command line refuses what it cannot check (the probes themselves need servers)."""

import pytest

from services.stack import probe


@pytest.mark.parametrize("argv", [[], ["grpc"], ["tcp", "localhost:1"], ["http", "a", "b"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert probe.main(argv) == 2
    assert "usage" in capsys.readouterr().err
