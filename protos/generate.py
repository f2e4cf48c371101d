"""Generates the gRPC code under protos/ticketing from the .proto files; --check fails on drift."""

import argparse
import filecmp
import pathlib
import sys
import tempfile

from grpc_tools import protoc

ROOT = pathlib.Path(__file__).resolve().parent
PACKAGE = ROOT / "ticketing" / "v1"
SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def generate(out: pathlib.Path) -> None:
    include = pathlib.Path(protoc.__file__).parent / "_proto"
    for proto in sorted(PACKAGE.glob("*.proto")):
        args = [
            "protoc",
            f"-I{ROOT}",
            f"-I{include}",
            f"--python_out={out}",
            f"--pyi_out={out}",
            f"--grpc_python_out={out}",
            str(proto.relative_to(ROOT)),
        ]
        if protoc.main(args) != 0:
            sys.exit(f"protoc failed on {proto}")


def generated(folder: pathlib.Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(SUFFIXES))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    if not parser.parse_args().check:
        generate(ROOT)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        generate(pathlib.Path(tmp))
        fresh = pathlib.Path(tmp) / "ticketing" / "v1"
        names = generated(fresh)
        stale = [
            n for n in names if not (PACKAGE / n).exists() or not filecmp.cmp(fresh / n, PACKAGE / n, False)
        ]
        extra = sorted(set(generated(PACKAGE)) - set(names))
    if stale or extra:
        print(f"generated code is out of date: {stale + extra}; run `make protos`", file=sys.stderr)
        return 1
    print("generated code matches the .proto files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
