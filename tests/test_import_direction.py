"""Imports point one way, dashboards -> tracker -> connectors, read from the sources themselves:
a connector never imports tracker or dashboards; tracker imports dashboards only lazily inside
the commands that serve or render; the metric definitions import no store code."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("connectors", "tracker", "dashboards")

# Where tracker may import dashboards: (module, function). Only inside these functions, never at
# module level, so every other command runs without loading the web stack.
SERVE_AND_REPORT = {
    ("tracker.cli.web_commands", "serve"),  # tracker serve
    ("tracker.cli.web_commands", "serve_demo"),  # tracker demo --serve
    ("tracker.cli.report_commands", "report"),  # tracker report
}


@dataclass(frozen=True)
class Import:
    module: str  # the module that imports
    target: str  # the module imported (absolute)
    line: int
    functions: tuple[str, ...]  # enclosing functions, outermost first; () at module level

    def __str__(self) -> str:
        where = ".".join(self.functions) or "module level"
        return f"{self.module}:{self.line} ({where}) imports {self.target}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.stack: list[str] = []
        self.found: list[Import] = []

    def _add(self, target: str, node: ast.AST) -> None:
        self.found.append(Import(self.module, target, node.lineno, tuple(self.stack)))  # type: ignore[attr-defined]

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.package.split(".")
            parts = parts[: len(parts) - (node.level - 1)]
            base = ".".join([*parts, base] if base else parts)
        for alias in node.names:
            # ``from tracker import store`` imports the module tracker.store
            self._add(f"{base}.{alias.name}" if alias.name != "*" else base, node)

    def visit_Call(self, node: ast.Call) -> None:
        # importlib.import_module("name") / __import__("name") with a literal name
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in ("import_module", "__import__") and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                self._add(arg.value, node)
        self.generic_visit(node)


def all_imports() -> list[Import]:
    found: list[Import] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            collector = _Collector(module_name(path), path.name == "__init__.py")
            collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
            found.extend(collector.found)
    return found


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


IMPORTS = all_imports()


def test_the_sources_were_read() -> None:
    # guards the rules below against passing on an empty list
    modules = {i.module for i in IMPORTS}
    assert {"connectors.facebook", "tracker.cli.web_commands", "tracker.metrics.growth"} <= modules
    assert any(within(i.target, "dashboards") and within(i.module, "tracker") for i in IMPORTS)


def test_connectors_import_nothing_of_tracker_or_dashboards() -> None:
    wrong = [
        str(i)
        for i in IMPORTS
        if within(i.module, "connectors")
        and (within(i.target, "tracker") or within(i.target, "dashboards"))
    ]
    assert wrong == []


def test_tracker_imports_dashboards_only_lazily_in_serve_and_report() -> None:
    wrong = [
        str(i)
        for i in IMPORTS
        if within(i.module, "tracker")
        and within(i.target, "dashboards")
        and not (i.functions and (i.module, i.functions[0]) in SERVE_AND_REPORT)
    ]
    assert wrong == []


def test_metric_definitions_import_no_store_code() -> None:
    wrong = [
        str(i)
        for i in IMPORTS
        if within(i.module, "tracker.metrics") and within(i.target, "tracker.store")
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("from dashboards.app import create_app\n", "tracker.cli.x", ["dashboards.app.create_app"]),
        ("def f():\n    import tracker.store.db\n", "connectors.x", ["tracker.store.db"]),
        ("from ..store import db\n", "tracker.metrics.x", ["tracker.store.db"]),
        ("import importlib\nimportlib.import_module('tracker.privacy')\n", "tracker.a", None),
    ],
)
def test_the_reader_sees_every_form_of_import(
    source: str, module: str, expected: list[str] | None
) -> None:
    collector = _Collector(module, is_package=False)
    collector.visit(ast.parse(source))
    targets = [i.target for i in collector.found]
    if expected is None:
        assert "tracker.privacy" in targets
    else:
        assert targets == expected
