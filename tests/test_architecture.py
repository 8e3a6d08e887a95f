"""The layer rules of docs/architecture.md, checked from the imports alone.

Every module under src/quotaopt is parsed (not imported). A module may import modules of its
own layer or of a layer below; never one above, never a private (``_name``) name of another
module, never the package root or the CLI (only the CLI and the root may), and the import
graph has no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "quotaopt"

#: Bottom to top; docs/architecture.md draws the same order.
LAYERS: list[tuple[str, set[str]]] = [
    ("domain", {"_startup", "errors", "meta", "i18n", "numfmt", "messages", "messages.core",
                "messages.general", "messages.analysis", "messages.reading",
                "messages.checking", "exact", "policy"}),
    ("input/output", {"headers", "workbook_parts", "table", "csvarrow", "unitcells",
                      "unitlayout", "normalize", "csvunits", "units", "budgets",
                      "scenario_policy", "scenario", "csvtext", "output"}),
    ("exact arithmetic", {"caps", "check"}),
    ("feasibility", {"feasibility"}),
    ("formulation and backends", {"formulation", "model", "fastpath", "budgetpath", "backends.base",
                                  "backends.highs", "backends.pulp", "backends.registry",
                                  "backends", "relax"}),
    ("solve", {"result", "stages", "tierule", "allocation", "solve"}),
    ("analysis", {"diagnose", "uniqueness", "explain", "rule_changes", "compare_tables",
                  "compare", "audit", "pulp_model"}),
    ("presentation", {"report", "report_cells", "report_text", "report_charts", "report_html",
                      "text", "plan_table"}),
    ("cli", {"cli_terminal", "cli_language", "cli_exit", "cli_options", "cli", "__main__",
             ""}),  # "" is the package root, quotaopt/__init__.py
]
LAYER_OF = {mod: n for n, (_, mods) in enumerate(LAYERS) for mod in mods}
TOP = {"cli", "__main__", ""}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def resolve(current: str, is_package: bool, level: int, target: str | None) -> str:
    """The quotaopt-relative name of a relative import ``from <level dots><target>``."""
    base = current.split(".") if current else []
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *(target.split(".") if target else [])])


def imports(name: str) -> list[tuple[str, str | None, int]]:
    """(module imported, name taken from it or None, line) for every quotaopt import."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    out: list[tuple[str, str | None, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if not (node.module or "").split(".")[0] == "quotaopt":
                    continue
                target = node.module.partition(".")[2] if node.module else ""
            else:
                target = resolve(name, is_package, node.level, node.module)
            for alias in node.names:
                sub = f"{target}.{alias.name}" if target else alias.name
                if sub in MODULES:  # ``from . import units`` imports a module
                    out.append((sub, None, node.lineno))
                else:
                    out.append((target, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "quotaopt":
                    out.append((alias.name.partition(".")[2], None, node.lineno))
    return out


def test_every_module_has_a_layer():
    assert set(MODULES) == set(LAYER_OF), (
        f"modules without a layer: {sorted(set(MODULES) - set(LAYER_OF))}; "
        f"layers naming no module: {sorted(set(LAYER_OF) - set(MODULES))}")


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_look_down_only(name):
    bad = []
    for target, imported, line in imports(name):
        where = f"{MODULES[name].relative_to(SRC.parent)}:{line}"
        shown = f"quotaopt.{target}" if target else "quotaopt"
        if target not in LAYER_OF:
            bad.append(f"{where} imports {shown}, which is not a module of the package")
            continue
        if name not in TOP and target in TOP:
            bad.append(f"{where} imports {shown} (only the CLI and the package root may)")
        elif LAYER_OF[target] > LAYER_OF[name]:
            bad.append(f"{where}: {name} ({LAYERS[LAYER_OF[name]][0]}) imports {shown} "
                       f"({LAYERS[LAYER_OF[target]][0]}), a layer above")
        # ``_`` is gettext's public name (quotaopt.i18n), not a private one
        if imported and imported.startswith("_") and not imported.startswith("__") \
                and imported != "_":
            bad.append(f"{where} imports the private name {imported} of {shown}")
    assert not bad, "\n".join(bad)


def test_no_private_attribute_of_another_module():
    """``module._name`` after ``from . import module`` is a private import too."""
    bad = []
    for name, path in MODULES.items():
        bound = {}
        for target, imported, _ in imports(name):
            if imported is None and target:
                bound[target.rpartition(".")[2]] = target
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in bound and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                bad.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert not bad, "\n".join(bad)


def test_no_import_cycle():
    graph = {name: {t for t, _, _ in imports(name) if t in MODULES and t != name}
             for name in MODULES}
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "\n".join(" → ".join(c) for c in cycles)


def test_the_checker_catches_what_it_should():
    """The rules can fail: an upward, a private and a package-root import are found."""
    assert resolve("backends.highs", False, 2, "model") == "model"
    assert resolve("backends", True, 1, "base") == "backends.base"
    assert resolve("solve", False, 1, None) == ""
    assert LAYER_OF["solve"] > LAYER_OF["feasibility"] > LAYER_OF["caps"] > LAYER_OF["policy"]
    tree = ast.parse("from .solve import _finish\nfrom . import __version__\n")
    found = [(n.module, n.level, [a.name for a in n.names]) for n in ast.walk(tree)
             if isinstance(n, ast.ImportFrom)]
    assert found == [("solve", 1, ["_finish"]), (None, 1, ["__version__"])]


def test_architecture_md_names_every_module():
    text = (SRC.parent.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [str(p.relative_to(SRC)) for p in MODULES.values()
               if f"`{p.relative_to(SRC).as_posix()}`" not in text
               and not (p.name == "__init__.py" and p.parent != SRC)]
    assert not missing, f"docs/architecture.md does not describe {missing}"
