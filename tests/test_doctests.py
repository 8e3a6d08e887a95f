"""The examples in the docstrings of src/quotaopt run here (from the repository root, where
the shipped scenario is) and must pass; at least 15 of them must really run."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "quotaopt"


def module_name(path: Path) -> str:
    parts = ["quotaopt", *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(module_name(p) for p in SRC.rglob("*.py") if p.name != "__main__.py")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def run(name: str) -> doctest.TestResults:
    module = importlib.import_module(name)
    return doctest.testmod(module, optionflags=FLAGS, verbose=False, report=True)


@pytest.fixture(scope="module", autouse=True)
def _in_repository_root():
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        yield


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name, capsys):
    result = run(name)
    out = capsys.readouterr().out
    assert result.failed == 0, out


def test_at_least_fifteen_examples_run():
    attempted = sum(run(name).attempted for name in MODULES)
    assert attempted >= 15, attempted
