"""A static guard: no code path changes a judgement without a record.

Answers, organisation-level ratings, moderation decisions, returned questions and the audit
trail itself are written only by the judgements/services/ package, which adds AuditEvent rows in the
same transaction. This test reads every Python module of the project (with ast, without
importing it) and fails on any other write to those tables: a save(), create(), update(),
delete(), bulk_create() or bulk_update() on the models, their querysets, their related
managers (case.answers, decision.returned_questions...), instances loaded from them, or SQL
that names their tables.

A module outside the services that truly has to write them (an import of a whole inspection
from a file, say) must write AuditEvent rows for what it writes in the same function, or in
the same class when the writing is split over its methods, and be listed in REVIEWED_WRITERS
with the reason. The lead inspector's team reviews each entry.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import RequestFactory

from judgements.models import (
    Answer,
    AuditEvent,
    ModerationDecision,
    OrganisationRating,
    ReturnedQuestion,
)

ROOT = Path(__file__).resolve().parent.parent
GUARDED = [Answer, OrganisationRating, ModerationDecision, ReturnedQuestion, AuditEvent]
GUARDED_NAMES = frozenset(model.__name__ for model in GUARDED)
# Reverse accessors that reach the guarded rows from another object: case.answers, case.audit...
RELATED_NAMES = frozenset(
    field.remote_field.related_name
    for model in GUARDED
    for field in model._meta.get_fields()
    if field.is_relation
    and field.many_to_one
    and field.remote_field.related_name
    and not field.remote_field.related_name.endswith("+")
)
TABLES = frozenset(model._meta.db_table for model in GUARDED)
WRITES = frozenset(
    name
    for base in (
        "save",
        "create",
        "update",
        "delete",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
    )
    for name in (base, f"a{base}")
) | {"_insert", "_update", "_raw_delete"}
AUDIT_WRITES = frozenset({"create", "bulk_create", "acreate", "abulk_create"})
SQL_WRITE = re.compile(
    r"\b(insert\s+into|update|delete\s+from|copy|truncate)\s+[\"'`]?("
    + "|".join(sorted(TABLES))
    + r")\b",
    re.IGNORECASE,
)
# Any SQL that writes; with a guarded model's table name in the same function, it writes there.
ANY_SQL_WRITE = re.compile(r"\b(insert\s+into|update|delete\s+from|copy|truncate)\s", re.IGNORECASE)
# Case fields whose changes are judgements too: status, assignment, selection for QA.
CASE_JUDGEMENT_FIELDS = frozenset({"status", "inspector", "inspector_id", "selected_for_qa"})

SKIPPED_DIRS = {".venv", "node_modules", "staticfiles", "tests", ".git", "__pycache__"}
ONLY_WRITER = "judgements/services/"  # the package: every module in it

# Modules (and the function or class in them) allowed to write judgements besides the services,
# each with the reason; they must also write AuditEvent rows in the same function or class.
REVIEWED_WRITERS: dict[tuple[str, str], str] = {
    ("reports/exchange/importer/writer.py", "Writer"): (
        "Imports a whole inspection exported from another installation, in one transaction; "
        "it records an AuditEvent for every answer, decision and rating it brings in."
    ),
    ("reports/management/commands/seed_benchmark.py", "Command"): (
        "Builds the synthetic benchmark dataset in bulk (COPY on PostgreSQL); it records an "
        "AuditEvent for every answer, case status and organisation rating it writes."
    ),
}


@dataclass(frozen=True)
class Write:
    path: str
    line: int
    what: str
    unit: str  # the enclosing class, else function, else "<module>"
    unit_writes_audit: bool

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.unit}): {self.what}"


class _Scanner(ast.NodeVisitor):
    """Finds writes to the guarded models in one module."""

    def __init__(self, path: str, source: str):
        self.path = path
        self.aliases = set(GUARDED_NAMES)
        self.tainted: list[set[str]] = [set()]
        self.units: list[ast.AST] = []
        self.writes: list[tuple[int, str, ast.AST | None]] = []
        self.audit_units: set[int] = set()
        # Per function: where a guarded table's name is used, and whether SQL writes there.
        self.frames: list[dict] = [{"tables": [], "sql_write": False}]
        self.tree = ast.parse(source, filename=path)

    # What an expression refers to --------------------------------------------------------

    def _is_guarded_name(self, name: str) -> bool:
        return name in self.aliases or any(name in scope for scope in self.tainted)

    def refers_to_guarded(self, node: ast.AST) -> bool:
        """Whether an expression is a guarded model, its manager, queryset, row or relation."""
        while True:
            if isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.Attribute):
                if node.attr in self.aliases or node.attr in RELATED_NAMES:
                    return True
                node = node.value
            elif isinstance(node, ast.Subscript | ast.Starred):
                node = node.value
            elif isinstance(node, ast.Await):
                node = node.value
            elif isinstance(node, ast.Name):
                return self._is_guarded_name(node.id)
            else:
                return False

    def refers_to_audit(self, node: ast.AST) -> bool:
        while isinstance(node, ast.Call | ast.Attribute):
            node = node.func if isinstance(node, ast.Call) else node.value
        return isinstance(node, ast.Name) and node.id == "AuditEvent"

    def _is_get_model_of_guarded(self, node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
            and any(
                isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and arg.value.split(".")[-1] in GUARDED_NAMES
                for arg in node.args
            )
        )

    def _unit(self) -> ast.AST | None:
        for unit in reversed(self.units):
            if isinstance(unit, ast.ClassDef):
                return unit
        return self.units[-1] if self.units else None

    def _record(self, node: ast.AST, what: str) -> None:
        self.writes.append((node.lineno, what, self._unit()))

    # Imports and names -------------------------------------------------------------------

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name in GUARDED_NAMES:
                self.aliases.add(alias.asname or alias.name)

    @staticmethod
    def _bound_names(target: ast.AST) -> list[str]:
        """The names an assignment binds (not those it only reads, as in `a.value = ...`)."""
        if isinstance(target, ast.Name):
            return [target.id]
        if isinstance(target, ast.Tuple | ast.List):
            return [name for element in target.elts for name in _Scanner._bound_names(element)]
        if isinstance(target, ast.Starred):
            return _Scanner._bound_names(target.value)
        return []

    def _bind(self, target: ast.AST, value: ast.AST | None) -> None:
        names = self._bound_names(target)
        if value is not None and self._is_get_model_of_guarded(value):
            self.aliases.update(names)
        elif value is not None and self.refers_to_guarded(value):
            self.tainted[-1].update(names)
        else:
            for name in names:
                self.tainted[-1].discard(name)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        for target in node.targets:
            self._bind(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.generic_visit(node)
        self._bind(node.target, node.value)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.generic_visit(node)
        self._bind(node.target, node.value)

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self._bind(node.target, node.iter)
        for child in [*node.body, *node.orelse]:
            self.visit(child)

    visit_AsyncFor = visit_For

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self.visit(node.iter)
        self._bind(node.target, node.iter)
        for condition in node.ifs:
            self.visit(condition)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self._bind(item.optional_vars, item.context_expr)
        for child in node.body:
            self.visit(child)

    # Scopes ------------------------------------------------------------------------------

    def _scope(self, node: ast.AST) -> None:
        self.units.append(node)
        self.tainted.append(set())
        self.frames.append({"tables": [], "sql_write": False})
        self.generic_visit(node)
        self._close_frame()
        self.tainted.pop()
        self.units.pop()

    def _close_frame(self) -> None:
        frame = self.frames.pop()
        if frame["sql_write"]:
            for node in frame["tables"]:
                self._record(node, f"{ast.unparse(node)} used in SQL that writes")

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _scope

    # Writes ------------------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        if func.attr in AUDIT_WRITES and self.refers_to_audit(func.value):
            unit = self._unit()
            self.audit_units.add(id(unit))
        if func.attr in WRITES and self.refers_to_guarded(func.value):
            self._record(node, f"{ast.unparse(func)}(...)")
        elif func.attr in {"update", "aupdate"} and (
            CASE_JUDGEMENT_FIELDS & {kw.arg for kw in node.keywords}
        ):
            receiver = func.value
            while isinstance(receiver, ast.Call | ast.Attribute):
                receiver = receiver.func if isinstance(receiver, ast.Call) else receiver.value
            if isinstance(receiver, ast.Name) and receiver.id == "Case":
                self._record(node, f"{ast.unparse(func)}(...) changes a case's status or team")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.generic_visit(node)
        # The table's name in a function whose SQL writes (COPY, a raw INSERT...).
        if (
            node.attr == "db_table"
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "_meta"
            and self.refers_to_guarded(node.value.value)
        ):
            self.frames[-1]["tables"].append(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if not isinstance(node.value, str):
            return
        if SQL_WRITE.search(node.value):
            self._record(node, f"SQL that writes a judgements table: {node.value[:60]!r}")
        if ANY_SQL_WRITE.search(node.value):
            self.frames[-1]["sql_write"] = True

    def scan(self) -> list[Write]:
        self.visit(self.tree)
        self._close_frame()
        return [
            Write(
                path=self.path,
                line=line,
                what=what,
                unit=getattr(unit, "name", "<module>") if unit is not None else "<module>",
                unit_writes_audit=id(unit) in self.audit_units,
            )
            for line, what, unit in self.writes
        ]


def writes_in(path: str, source: str) -> list[Write]:
    return _Scanner(path, source).scan()


def project_modules() -> list[Path]:
    modules = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if SKIPPED_DIRS & set(parts) or parts[0].startswith("."):
            continue
        relative = "/".join(parts)
        if relative.startswith((ONLY_WRITER, "judgements/migrations/")):
            continue
        modules.append(path)
    return modules


# The guard ---------------------------------------------------------------------------------


def test_no_code_outside_the_services_writes_a_judgement_without_a_record():
    modules = project_modules()
    assert len(modules) > 20, "the project's modules were not found"
    unreviewed, unaudited = [], []
    for path in modules:
        relative = path.relative_to(ROOT).as_posix()
        for write in writes_in(relative, path.read_text()):
            if (write.path, write.unit) not in REVIEWED_WRITERS:
                unreviewed.append(str(write))
            elif not write.unit_writes_audit:
                unaudited.append(str(write))
    assert not unreviewed, (
        "Judgements may only be written through judgements/services/, which records each "
        "change in the audit trail. Call a service instead; or, if this code truly has to "
        "write them, make it write AuditEvent rows for every change in the same function (or "
        "class) and add it to REVIEWED_WRITERS with the reason:\n  " + "\n  ".join(unreviewed)
    )
    assert not unaudited, (
        "These reviewed writers no longer write AuditEvent rows in the same function or "
        "class:\n  " + "\n  ".join(unaudited)
    )


def test_the_reviewed_writers_still_exist():
    """An entry for code that has gone would let new code with its name in unchecked."""
    for path, unit in REVIEWED_WRITERS:
        source = (ROOT / path).read_text()
        names = {
            n.name
            for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        }
        assert unit in names, f"{path} has no {unit}: remove it from REVIEWED_WRITERS"


def test_every_service_that_changes_a_judgement_records_it_in_the_same_transaction():
    writes, functions = [], {}
    modules = sorted((ROOT / ONLY_WRITER).glob("*.py"))
    assert len(modules) > 3, "the services' modules were not found"
    for path in modules:
        source = path.read_text()
        writes += _Scanner(path.relative_to(ROOT).as_posix(), source).scan()
        tree = ast.parse(source)
        functions |= {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    writers = {w.unit for w in writes if not w.what.startswith("AuditEvent")}
    assert {"answers_record", "case_submit", "case_agree", "case_return", "case_reopen"} <= (
        writers
    )
    for name in sorted(writers):
        function = functions[name]
        decorators = {ast.unparse(d) for d in function.decorator_list}
        assert "transaction.atomic" in decorators, f"{name} is not @transaction.atomic"
        assert any(w.unit == name and w.unit_writes_audit for w in writes), (
            f"{name} changes a judgement but writes no AuditEvent row"
        )


def test_the_admin_cannot_change_judgements():
    request = RequestFactory().get("/admin/")
    request.user = type("Superuser", (), {"is_active": True, "is_staff": True})()
    request.user.has_perm = lambda *args, **kwargs: True
    admins = list(admin.site._registry.values())
    inlines = [
        inline(model_admin.model, admin.site)
        for model_admin in admins
        for inline in model_admin.inlines
    ]
    for model_admin in [*admins, *inlines]:
        if model_admin.model not in GUARDED:
            continue
        name = type(model_admin).__name__
        if isinstance(model_admin, admin.options.InlineModelAdmin):
            assert not model_admin.has_add_permission(request, None), name
        else:
            assert not model_admin.has_add_permission(request), name
        assert not model_admin.has_change_permission(request), name
        assert not model_admin.has_delete_permission(request), name


# The guard finds what it should, and nothing else --------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "Answer.objects.create(case=case)",
        "Answer.objects.filter(case=case).update(value='no')",
        "AuditEvent.objects.all().delete()",
        "ReturnedQuestion.objects.bulk_update(rows, ['resolved'])",
        "OrganisationRating.objects.update_or_create(inspection=i)",
        "case.answers.all().delete()",
        "decision.returned_questions.update(resolved=True)",
        "inspection.audit.create(actor=user)",
        "a = Answer.objects.get(pk=1)\na.value = 'no'\na.save()",
        "def f():\n    rating = OrganisationRating(rating='Good')\n    rating.save()",
        "for answer in case.answers.all():\n    answer.delete()",
        "from judgements.models import Answer as A\nA.objects.bulk_create([])",
        "from judgements import models\nmodels.ModerationDecision.objects.create()",
        "Model = apps.get_model('judgements', 'Answer')\nModel.objects.create()",
        "cursor.execute('UPDATE judgements_answer SET value = %s', ['no'])",
        "cursor.execute(f'COPY {Answer._meta.db_table} FROM STDIN')",
        "def copy(rows):\n"
        "    table = Answer._meta.db_table\n"
        "    run(f'INSERT INTO {table} VALUES %s')",
        "Case.objects.filter(pk=1).update(status='agreed')",
        "async def f():\n    await Answer.objects.acreate(case=case)",
    ],
)
def test_the_guard_finds_a_write(source):
    assert writes_in("example.py", source), source


@pytest.mark.parametrize(
    "source",
    [
        "Answer.objects.filter(case=case).count()",
        "list(case.answers.select_related('question'))",
        "answers = {a.question_id: a for a in Answer.objects.all()}\nanswers.update(extra)",
        "case.save(update_fields=['reference'])",
        "Case.objects.filter(pk=1).update(reference='C-2')",
        "Order.objects.create(case=case)",
        "form.cleaned_data.update(value='no')",
        "print('update the answers later')",
        "cursor.execute('SELECT * FROM pg_indexes WHERE tablename = %s', [Answer._meta.db_table])",
    ],
)
def test_the_guard_leaves_other_code_alone(source):
    assert not writes_in("example.py", source), source


def test_a_writer_is_allowed_only_with_audit_rows_in_the_same_function_or_class():
    with_audit = (
        "def load(case):\n"
        "    Answer.objects.bulk_create(rows)\n"
        "    AuditEvent.objects.bulk_create(events)\n"
    )
    without = "def load(case):\n    Answer.objects.bulk_create(rows)\n"
    elsewhere = without + "def audit():\n    AuditEvent.objects.bulk_create(events)\n"
    in_class = (
        "class Writer:\n"
        "    def answers(self):\n"
        "        Answer.objects.bulk_create(self.rows)\n"
        "    def run(self):\n"
        "        self.answers()\n"
        "        AuditEvent.objects.bulk_create(self.events)\n"
    )
    answers_of = lambda source: [  # noqa: E731
        w for w in writes_in("x.py", source) if w.what.startswith("Answer")
    ]
    assert [w.unit_writes_audit for w in answers_of(with_audit)] == [True]
    assert [w.unit_writes_audit for w in answers_of(without)] == [False]
    assert [w.unit_writes_audit for w in answers_of(elsewhere)] == [False]
    assert [(w.unit, w.unit_writes_audit) for w in answers_of(in_class)] == [("Writer", True)]
