"""The probe command line refuses what it cannot check (the probes themselves need servers)."""

import pytest

from services.stack import probe


@pytest.mark.parametrize("argv", [[], ["grpc"], ["tcp", "localhost:1"], ["http", "a", "b"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert probe.main(argv) == 2
    assert "usage" in capsys.readouterr().err


def test_a_heartbeat_file_is_fresh_until_it_is_older_than_allowed(tmp_path):
    import os
    import time

    path = tmp_path / "alive"
    assert probe.main(["fresh", str(path), "30"]) == 1  # never written
    path.touch()
    assert probe.main(["fresh", str(path), "30"]) == 0
    old = time.time() - 31
    os.utime(path, (old, old))
    assert probe.main(["fresh", str(path), "30"]) == 1


@pytest.mark.parametrize("argv", [["fresh", "/tmp/x"], ["fresh", "/tmp/x", "soon"], ["fresh", "/tmp/x", "0"]])
def test_a_heartbeat_probe_needs_a_path_and_a_positive_age(argv: list[str]) -> None:
    assert probe.main(argv) == 2
