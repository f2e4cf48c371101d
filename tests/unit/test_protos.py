"""The generated gRPC code in protos/ matches the .proto files (`make protos` regenerates it)."""

import subprocess
import sys
from pathlib import Path

GENERATE = Path(__file__).resolve().parents[2] / "protos" / "generate.py"


def test_generated_code_is_in_step_with_the_proto_files() -> None:
    done = subprocess.run(
        [sys.executable, str(GENERATE), "--check"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_every_proto_has_its_generated_modules() -> None:
    package = GENERATE.parent / "ticketing" / "v1"
    for proto in package.glob("*.proto"):
        for suffix in ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py"):
            assert (package / f"{proto.stem}{suffix}").is_file(), proto.stem + suffix
