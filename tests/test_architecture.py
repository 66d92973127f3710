"""The house rule: imports run one way, down, and never in a circle.

Rooms, top to bottom (README, "How it is built"):

    cli                         prints and exits
    crawl, engines              the crawler; `clean` as partitions on a cluster's engine (Dask)
    io, workers                 inputs and outputs; the one process pool
    scrape (the package API)    clean_html, clean_text, clean_page, load_config
    clean                       bytes to cleaned blocks: decode, pruning, extraction, lines, dumps
    meta                        metadata: candidates, titles, authors, bylines, dates, normaliser
    config                      loading, validation, defaults, lexicons
    models, errors, text, dom,  the types, the error tree, text and tree helpers, the version
      version

A module may import from its own room or any room below it. Every import counts, those
inside functions and under TYPE_CHECKING too: a cycle hidden in a function is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "scrape"

RANKS = {
    "cli": 6,
    "crawl": 5,
    "engines": 5,  # beside crawl: the other program over the cleaner (clean on Dask); neither imports the other
    "io": 4,
    "workers": 4,
    "__init__": 3,  # the package's API
    "__main__": 7,
    "clean": 3,
    "meta": 2,
    "config": 1,
    "models": 0,
    "errors": 0,
    "text": 0,
    "dom": 0,
    "version": 0,  # the version string, which the output records carry
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> set[str]:
    """The scrape modules `path` imports, as dotted names."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "scrape"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "scrape":
                target = node.module
            else:
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                # "from . import clean" imports the module clean; "from .x import y", module x.
                found.add(candidate if _exists(candidate) else target)
    return {name for name in found if name != module}


def _exists(module: str) -> bool:
    relative = Path(*module.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    return {_module_name(path): _imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def test_every_room_has_a_rank():
    rooms = {_room(module) for module in _graph()}
    assert rooms <= RANKS.keys(), f"rooms without a rank: {sorted(rooms - RANKS.keys())}"


def test_imports_never_go_up():
    upward = []
    for module, targets in _graph().items():
        for target in targets:
            if target == "scrape" and _room(module) == "cli":
                continue  # the command line reads the package's docstring and version
            if RANKS[_room(target)] > RANKS[_room(module)]:
                upward.append(f"{module} imports {target}")
    assert not upward, "upward imports:\n" + "\n".join(sorted(upward))


def test_no_import_cycles():
    graph = _graph()
    cycles: list[str] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in graph:
                continue
            if state.get(target) == 1:
                cycles.append(" -> ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("room", ["clean", "meta", "config"])
def test_pure_rooms_do_no_io(room):
    """clean and meta (and config, past reading its own files) are shared by dumps and
    crawls: they never open sockets, spawn processes or write files."""
    forbidden = {"socket", "subprocess", "httpx", "sqlite3", "multiprocessing", "asyncio", "shutil"}
    offenders = []
    for path in sorted((PACKAGE / room).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module.split(".")[0]]
            offenders += [f"{path.relative_to(PACKAGE)} imports {name}" for name in names if name in forbidden]
    assert not offenders, "\n".join(offenders)
