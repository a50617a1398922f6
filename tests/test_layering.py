"""A static guard: the apps are layered, and an app imports only from the apps before it.

The order is inspection < casefiles < judgements < reports. Where a lower app needs something
only a higher one knows (the inspection page's sample counts, the record of who opened a case
file), the lower app offers a hook (a registry or a signal) and the higher app plugs into it in
its AppConfig.ready, so the dependency still points down.

This test reads every Python module of the four apps (with ast, without importing it) and fails
on any import of a later app, wherever it is written: at the top of the module, inside a
function, or under `if TYPE_CHECKING:`. Tests and migrations are included: a migration that
depends on a later app would tie the lower app's schema to it.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("inspection", "casefiles", "judgements", "reports")
SKIPPED_DIRS = {"__pycache__"}


def _modules(app: str) -> list[Path]:
    return sorted(
        path
        for path in (ROOT / app).rglob("*.py")
        if not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts)
    )


def _package(path: Path) -> list[str]:
    """The package a module is in, as parts: casefiles/sampling/x.py is in casefiles.sampling."""
    return list(path.relative_to(ROOT).with_suffix("").parts[:-1])


def _imported(path: Path) -> list[tuple[int, str]]:
    """Every module named by an import in this file, with its line, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package(path)[: len(_package(path)) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def _violations(app: str) -> list[str]:
    later = LAYERS[LAYERS.index(app) + 1 :]
    problems = []
    for path in _modules(app):
        for line, name in _imported(path):
            top = name.split(".")[0]
            if top in later:
                where = path.relative_to(ROOT).as_posix()
                problems.append(f"{where}:{line} imports {name} ({app} comes before {top})")
    return problems


@pytest.mark.parametrize("app", LAYERS[:-1])
def test_an_app_imports_nothing_from_the_apps_after_it(app):
    problems = _violations(app)
    assert not problems, "Imports against the layering:\n" + "\n".join(problems)


def test_the_guard_sees_imports_at_any_depth(tmp_path, monkeypatch):
    """Imports inside functions and relative imports count as much as those at the top."""
    app = tmp_path / "inspection"
    (app / "sub").mkdir(parents=True)
    (app / "sub" / "late.py").write_text(
        "def f():\n"
        "    from casefiles.models import Case\n"
        "    import judgements.services\n"
        "    return Case, judgements\n"
        "from ..models import Inspection\n"
        "import importlib\n"
        "importlib.import_module('reports.retention')\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    problems = _violations("inspection")
    assert [p.split(" (")[0] for p in problems] == [
        "inspection/sub/late.py:2 imports casefiles.models",
        "inspection/sub/late.py:3 imports judgements.services",
        "inspection/sub/late.py:7 imports reports.retention",
    ]


def test_every_app_is_checked():
    """A new top-level app must be given its place in the layers."""
    for app in LAYERS:
        assert (ROOT / app / "apps.py").exists(), app
