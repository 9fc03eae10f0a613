"""Package boundaries, checked mechanically: the engine never reaches up into Qt or the
designer, and the designer's document model never touches widgets."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUI_PACKAGES = ("PySide6", "pyqtgraph", "designer", "PyQt5", "PyQt6", "shiboken6")


def imported_modules(path: Path) -> set[str]:
    """Every module an ``import`` or ``from ... import`` names (absolute or relative)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            names.update(a.value for a in node.args if isinstance(a, ast.Constant))
    return names


def offenders(folder: str, forbidden) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for module in imported_modules(path):
            if forbidden(module):
                found.append(f"{path.relative_to(ROOT)} imports {module}")
    return found


def test_engine_never_imports_qt_or_designer():
    def forbidden(module):
        return module.split(".")[0] in GUI_PACKAGES
    assert offenders("engine", forbidden) == []


def test_document_model_never_imports_widgets():
    def forbidden(module):
        return "QtWidgets" in module or module.split(".")[0] == "pyqtgraph"
    assert offenders("designer/model", forbidden) == []


def test_commands_touch_no_widgets():
    def forbidden(module):
        return "QtWidgets" in module or "canvas" in module or "panels" in module
    found = [m for m in imported_modules(ROOT / "designer" / "commands.py") if forbidden(m)]
    assert found == []
