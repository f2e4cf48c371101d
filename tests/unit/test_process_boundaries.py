"""Each process's package imports only itself, services.shared and the generated protos (`ticketing`).

One `python -m` package per process (README.md, "Layout"): code two processes need lives in
services/shared, so a change inside one process can never break another. The check reads every
module's AST, so an import inside a function counts too. Starting another process by its module
name (services/stack's plan, a test's subprocess) is a string, not an import, and is not checked.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = (
    "gateway",
    "services.admin",
    "services.classifier",
    "services.mail",
    "services.metrics",
    "services.router",
    "services.simulate",
    "services.stack",
    "services.workers",
)
SHARED = ("services.shared", "ticketing")
# Imports across processes that are allowed, with the reason: none today.
ALLOWED: dict[tuple[str, str], str] = {}


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module's package
                base = module.split(".")[: -node.level]
                found.add(".".join([*base, node.module] if node.module else base))
            elif node.module == "services":
                found.update(f"services.{alias.name}" for alias in node.names)
            elif node.module:
                found.add(node.module)
    return found


def _modules(package: str) -> list[tuple[str, Path]]:
    folder = ROOT.joinpath(*package.split("."))
    out = []
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out.append((".".join(parts), path))
    return out


@pytest.mark.parametrize("package", PROCESSES)
def test_a_process_imports_no_other_process(package: str) -> None:
    modules = _modules(package)
    assert modules, f"{package} has no modules: the list of processes is out of date"
    crossings = []
    for module, path in modules:
        for name in sorted(_imports(path, module)):
            other = next((p for p in PROCESSES if _under(name, p)), None)
            if other is None or other == package or (package, other) in ALLOWED:
                continue
            crossings.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not crossings, "move what two processes need into services/shared:\n" + "\n".join(crossings)


def test_the_shared_package_imports_no_process() -> None:
    crossings = [
        f"{path.relative_to(ROOT)} imports {name}"
        for module, path in _modules("services.shared")
        for name in sorted(_imports(path, module))
        if any(_under(name, p) for p in PROCESSES)
    ]
    assert not crossings, "\n".join(crossings)


def test_every_services_package_is_a_process_or_shared() -> None:
    packages = {f"services.{p.name}" for p in (ROOT / "services").iterdir() if (p / "__init__.py").exists()}
    assert packages == {p for p in PROCESSES if p.startswith("services.")} | {"services.shared"}


def test_the_check_sees_a_crossing(tmp_path: Path) -> None:
    # An import inside a function, a `from services import x` and a relative import all count.
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def f():\n    from services.router import engine\n"
        "from services import metrics\nfrom .sibling import x\n"
    )
    found = _imports(probe, "gateway.http.probe")
    assert {"services.router", "services.metrics", "gateway.http.sibling"} <= found
