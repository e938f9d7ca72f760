"""One place for every environment variable: core/environment.py declares each one the code
reads (type, default, meaning), and docs/deploy.md shows exactly the generated table."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from agentmatch.core.environment import (
    BY_NAME,
    TABLE_END,
    TABLE_START,
    VARIABLES,
    markdown_table,
)

ROOT = Path(settings.BASE_DIR)
HELPERS = {"env_str": "text", "env_int": "integer", "env_bool": "boolean"}
FIX = "run `.venv/bin/agentmatch env-docs --write docs/deploy.md`"


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _constants(tree: ast.Module) -> dict[str, object]:
    """Module-level NAME = literal assignments (a name read through a constant)."""
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    found[target.id] = _literal(node.value, {})
                except ValueError:
                    continue
    return found


def _literal(node: ast.AST, constants: dict[str, object]) -> object:
    """A literal, a module constant, or arithmetic on them (15 * 60); ValueError otherwise."""
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Add):
        left, right = _literal(node.left, constants), _literal(node.right, constants)
        if isinstance(left, int) and isinstance(right, int):
            return left * right if isinstance(node.op, ast.Mult) else left + right
        raise ValueError("not a constant")
    return ast.literal_eval(node)


def reads_in(source: str, where: str) -> list[tuple[str, str, str | None, object]]:
    """(where, variable name, helper or None, literal default or ...) for every read.

    A read whose name is not a literal (or a module constant) is reported as name "?".
    Writes (`os.environ[X] = ...`, `setdefault`) and whole-environment copies are not reads.
    """
    tree = ast.parse(source)
    constants = _constants(tree)
    reads: list[tuple[str, str, str | None, object]] = []

    def add(line: int, name_node: ast.AST, helper: str | None, default: ast.AST | None) -> None:
        try:
            name = _literal(name_node, constants)
        except ValueError:
            name = "?"
        value: object = ...
        if default is not None:
            try:
                value = _literal(default, constants)
            except ValueError:
                value = ...
        reads.append((f"{where}:{line}", str(name), helper, value))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            default = node.args[1] if len(node.args) > 1 else None
            if name in HELPERS:
                add(node.lineno, node.args[0], name, default)
            elif isinstance(func, ast.Attribute) and (
                (func.attr == "get" and _is_os_environ(func.value))
                or (func.attr == "getenv" and isinstance(func.value, ast.Name))
            ):
                add(node.lineno, node.args[0], None, default)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and _is_os_environ(node.value)
        ):
            add(node.lineno, node.slice, None, None)
        elif (
            isinstance(node, ast.Compare)
            and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
            and any(_is_os_environ(c) for c in node.comparators)
        ):
            add(node.lineno, node.left, None, None)
    return reads


def every_read() -> list[tuple[str, str, str | None, object]]:
    # Every module but the registry itself (its helpers read the names they are given).
    registry = ROOT / "agentmatch" / "core" / "environment.py"
    files = [
        p
        for p in (ROOT / "agentmatch").rglob("*.py")
        if "migrations" not in p.parts and p != registry
    ]
    files.append(ROOT / "conftest.py")
    reads = []
    for path in sorted(files):
        reads += reads_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    return reads


def _same(variable_kind: str, declared: object, in_code: object) -> bool:
    try:
        if variable_kind == "integer":
            return int(str(in_code)) == declared
        if variable_kind == "number":
            return float(str(in_code)) == float(str(declared))
    except ValueError:
        return False
    return in_code == declared


def test_every_variable_the_code_reads_is_declared_with_its_type_and_default():
    reads = every_read()
    assert len(reads) > 80, "the scan found too few reads: is it still looking in the right place?"
    problems = []
    for where, name, helper, default in reads:
        variable = BY_NAME.get(name)
        if name == "?":
            problems.append(f"{where}: read a variable by a literal name, so it can be declared")
        elif variable is None:
            problems.append(
                f"{where}: {name} is not declared in agentmatch/core/environment.py "
                f"(add it to VARIABLES, then {FIX})"
            )
        elif helper and HELPERS[helper] != variable.kind and helper != "env_str":
            problems.append(f"{where}: {name} is read by {helper}, declared {variable.kind}")
        elif (
            default is not ...
            and variable.default is not None
            and not _same(variable.kind, variable.default, default)
        ):
            problems.append(
                f"{where}: {name} defaults to {default!r} here, "
                f"{variable.default!r} in core/environment.py"
            )
    assert problems == [], "\n".join(problems)


def test_the_scan_catches_an_undeclared_variable_a_computed_name_and_a_changed_default():
    source = (
        "import os\n"
        "SECRET = 'SECRET_NAME'\n"
        "A = env_int('NOT_DECLARED_ANYWHERE', 5)\n"
        "B = os.environ.get(SECRET)\n"
        "C = os.environ['PO' + input()]\n"
        "D = env_int('OFFER_WINDOW_SECONDS', 15 * 60)\n"
        "E = 'CI' in os.environ\n"
        "os.environ['WRITTEN'] = 'x'\n"
        "os.environ.setdefault('ALSO_WRITTEN', 'x')\n"
    )
    reads = reads_in(source, "x.py")
    assert [(name, default) for _, name, _, default in reads] == [
        ("NOT_DECLARED_ANYWHERE", 5),
        ("SECRET_NAME", ...),
        ("?", ...),
        ("OFFER_WINDOW_SECONDS", 900),
        ("CI", ...),
    ]
    assert _same("integer", BY_NAME["OFFER_WINDOW_SECONDS"].default, 900)
    assert not _same("integer", BY_NAME["OFFER_WINDOW_SECONDS"].default, 600)


def test_docs_deploy_md_shows_the_generated_table():
    document = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert TABLE_START in document and TABLE_END in document, f"markers missing: {FIX}"
    shown = document.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0]
    assert shown == "\n" + markdown_table(), f"docs/deploy.md's table is out of date: {FIX}"


def test_the_readme_keeps_no_second_list_of_variables_and_points_to_the_deploy_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/deploy.md" in readme
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    listed = [v.name for v in VARIABLES if any(line.startswith(f"| `{v.name}`") for line in rows)]
    assert listed == [], "the README lists variables: the table lives in docs/deploy.md"


def test_every_variable_has_a_meaning_and_a_known_type():
    for variable in VARIABLES:
        assert variable.doc and "|" not in variable.doc, variable.name
        assert variable.kind in ("text", "integer", "number", "boolean", "list"), variable.name
    assert len(BY_NAME) == len(VARIABLES), "a variable is declared twice"


def test_env_docs_prints_the_table_and_writes_it_between_the_markers(tmp_path, capsys):
    call_command("env_docs")
    assert capsys.readouterr().out == markdown_table()
    doc = tmp_path / "deploy.md"
    doc.write_text(f"# Deploy\n\n{TABLE_START}\nold table\n{TABLE_END}\n\nAfter.\n")
    call_command("env_docs", "--write", str(doc))
    expected = f"# Deploy\n\n{TABLE_START}\n{markdown_table()}{TABLE_END}\n\nAfter.\n"
    assert doc.read_text() == expected
    doc.write_text("no markers here\n")
    with pytest.raises(CommandError, match="markers"):
        call_command("env_docs", "--write", str(doc))
