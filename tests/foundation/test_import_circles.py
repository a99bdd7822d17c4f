"""No import circles between the project's modules: a circle makes the import order matter,
and a module half-initialised when another reads it is a bug that shows only at start-up.

Module-level imports only: an import inside a function runs late, after every module has
loaded (the documented way to cross a layer in the other direction), and `if TYPE_CHECKING:`
blocks never run. A submodule's implicit import of its own package is not an edge."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def module_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module name -> the project modules it imports at module level."""
    modules: dict[str, tuple[Path, bool]] = {}
    for path in package_dir.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)

    def resolve(name: str) -> str | None:  # the most specific project module a dotted name is in
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                # "from pkg import name": the submodule `name` if there is one, else pkg itself
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            graph[name].update(t for t in map(resolve, targets) if t and t != name)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while (member := stack.pop()) != node:
                group.append(member)
            if group:
                found.append(sorted([node, *group]))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_project_has_no_import_circles():
    assert circles(module_graph(ROOT / "igny8_core")) == []


def test_a_circle_through_a_package_and_its_submodule_is_found(tmp_path):
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("from .orders import Order\nclass Base: ...\n")
    (package / "orders.py").write_text("from . import Base\nclass Order(Base): ...\n")
    (package / "later.py").write_text("def f():\n    from . import orders\n")  # late: not an edge
    assert circles(module_graph(package)) == [["shop", "shop.orders"]]
