"""The structure a newcomer relies on: imports go one way, modules and functions stay small.

    quotebot (command line) -> bot (Telegram) -> retrieval (engine) -> embeddings (models)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGES = ("quotebot", "bot", "retrieval", "embeddings")
# What each package must never import (directly or inside a function).
FORBIDDEN = {
    "embeddings": ("retrieval", "bot", "quotebot", "telegram", "faiss"),
    "retrieval": ("bot", "quotebot", "telegram", "sentence_transformers", "torch"),
    "bot": ("quotebot", "faiss", "sentence_transformers", "torch"),
}
# Entry points may reach up: `python -m bot` is `quotebot serve`.
ENTRY_POINTS = {"bot/__main__.py"}
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_go_one_way(package):
    wrong = []
    for path in _modules(package):
        if str(path.relative_to(ROOT)) in ENTRY_POINTS:
            continue
        for name in _imports(path):
            if name.split(".")[0] in FORBIDDEN[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong, wrong


def test_the_checker_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from bot.main import serve\n    import telegram.ext\n")
    assert _imports(module) == {"bot.main", "telegram.ext"}


@pytest.mark.parametrize("package", PACKAGES)
def test_modules_and_functions_stay_small(package):
    too_long = []
    for path in _modules(package):
        source = path.read_text("utf-8")
        if source.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {lines} lines")
    assert not too_long, too_long
