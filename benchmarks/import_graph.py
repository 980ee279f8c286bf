"""Count import circles and upward imports of crane_it, from its import graph (grimp, import-linter's engine).

Run: .venv/bin/python benchmarks/import_graph.py

Every import counts, those inside functions too (grimp reads the source). A circle is a strongly
connected set of modules (module level) or of the top-level areas (cli, ops, review, app, ...); an
upward import is one from a lower layer of ``[tool.importlinter]``'s layers contract to a higher one.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def circles(nodes: set[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def main() -> int:
    graph = grimp.build_graph("crane_it")
    modules = set(graph.modules)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in modules}
    area = {m: m.split(".")[1] if "." in m else m for m in modules}
    area_edges: dict[str, set[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            if area[source] != area[target]:
                area_edges.setdefault(area[source], set()).add(area[target])
    contract = next(
        c
        for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
        if c["type"] == "layers"
    )
    rank = {name.strip(): level for level, layer in enumerate(contract["layers"]) for name in layer.split("|")}
    upward = sorted(
        (source, target)
        for source, targets in edges.items()
        for target in targets
        if area[source] in rank and area[target] in rank and rank[area[target]] < rank[area[source]]
    )
    module_circles = circles(modules, edges)
    area_circles = circles(set(area.values()), area_edges)
    print(f"modules: {len(modules)}, imports between them: {sum(len(t) for t in edges.values())}")
    print(f"import circles between modules: {len(module_circles)}")
    print(f"import circles between areas (cli, ops, review, app, ...): {len(area_circles)}")
    print(f"upward imports (a lower layer importing a higher one): {len(upward)}")
    for circle in module_circles + area_circles:
        print("  circle:", " <-> ".join(circle))
    for source, target in upward:
        print(f"  upward: {source} -> {target}")
    return 1 if module_circles or area_circles or upward else 0


if __name__ == "__main__":
    sys.exit(main())
