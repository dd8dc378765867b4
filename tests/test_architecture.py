"""docs/architecture.md's import rule holds: each stage imports only the stages below it."""

import ast
from pathlib import Path

import pytest

import speedlines

ROOT = Path(speedlines.__file__).parent
FOUNDATION = "foundation"
ALLOWED = {
    FOUNDATION: set(),
    "synth": set(),
    "segment": set(),
    "digitize": {"segment"},
    "evaluate": {"segment", "digitize"},
    "training": {"synth", "segment", "digitize", "evaluate"},
    "release": {"synth", "segment", "digitize", "evaluate", "training"},
    "web": {"segment", "digitize", "evaluate"},
    "cli": {"synth", "segment", "digitize", "evaluate", "training", "release", "web"},
}


def stage_of(module: str) -> str:
    """``speedlines.digitize.trace`` -> ``digitize``; root modules are the foundation."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (ROOT / parts[1]).is_dir() else FOUNDATION


def imported(path: Path) -> set[str]:
    """Every speedlines module that a file imports, at any depth in the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "speedlines":
                names |= {f"speedlines.{a.name}" for a in node.names}
            elif node.module.startswith("speedlines."):
                names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("speedlines.")}
    return names


def modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] != "__main__.py":
            yield pytest.param(path, id=str(rel))


@pytest.mark.parametrize("path", list(modules()))
def test_imports_follow_the_stage_rule(path):
    own = stage_of("speedlines." + ".".join(path.relative_to(ROOT).with_suffix("").parts))
    assert own in ALLOWED, f"{own}: a stage docs/architecture.md does not name"
    allowed = ALLOWED[own] | {own, FOUNDATION}
    wrong = sorted(m for m in imported(path) if stage_of(m) not in allowed)
    assert not wrong, f"{own} may not import {wrong} (docs/architecture.md)"


def test_the_rule_can_fail():
    assert stage_of("speedlines.digitize.trace") == "digitize"
    assert stage_of("speedlines.image_io") == FOUNDATION
    assert "cli" not in ALLOWED["web"] and "web" not in ALLOWED["digitize"]


EXPERIMENTS = ROOT.parents[1] / "experiments"


@pytest.mark.parametrize("path", sorted(EXPERIMENTS.glob("*.py")), ids=lambda p: p.name)
def test_experiments_import_the_package_not_each_other(path):
    siblings = {p.stem for p in EXPERIMENTS.glob("*.py")}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not names & siblings, "experiments import from speedlines, not from each other"
    assert "sys.path" not in path.read_text(encoding="utf-8")
