"""The architecture, checked: every module imports only what sits below it in the flow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "assistant"

# The stages, bottom first. A module may import its own stage and any stage listed before it.
STAGES = (
    ("model",),
    ("errors", "clock", "workdays", "when", "progress"),
    ("config",),
    ("templates",),
    ("message",),
    ("analysis",),
    ("store",),
    ("mailbox",),
    ("policy",),
    ("drafts",),
    ("report",),
    ("onboarding",),
    ("service",),
    ("explain", "daemon", "demo"),
    ("cli", "__main__"),
)
# The store sits low: whatever the flow says, it reads only the model (and the errors it raises).
STORE_MAY_IMPORT = {"model", "errors", "store"}


def _stage(top: str) -> int:
    return next(i for i, names in enumerate(STAGES) if top in names)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("assistant"):
            parts = node.module.split(".")
            if len(parts) > 1:
                found.add(parts[1])
            else:  # from assistant import service
                found.update(alias.name for alias in node.names if alias.name != "__version__")
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("assistant."))
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_flow(path: Path) -> None:
    top = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    if top == "__init__":
        return
    imported = _imports(path)
    upward = {name for name in imported if _stage(name) > _stage(top)}
    assert not upward, f"{path.relative_to(PACKAGE)} imports a higher stage: {sorted(upward)}"
    if top == "store":
        assert imported <= STORE_MAY_IMPORT, f"the store imports {sorted(imported - STORE_MAY_IMPORT)}"
    if top == "model":
        assert not imported - {"model"}


def test_every_top_level_module_has_a_stage() -> None:
    tops = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in MODULES} - {"__init__"}
    for top in tops:
        _stage(top)  # raises StopIteration for a module the architecture does not place
