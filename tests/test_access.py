"""One permission entry point and one audit writer, and the promise that every surface
uses them.

The meta-tests read the code (its syntax tree), datasette-style: every public ``Workbench``
method that takes an ``actor`` asks ``workflow.access``; every one that writes (opens
``store.session()``) also records through the audit writer; pay's and export's functions
likewise. A method that may skip one says why in ``UNGUARDED``/``UNAUDITED``. The checker is
itself tested on a planted method that skips the check, so these tests can fail.
"""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path
import textwrap
import types

import pytest
import sqlalchemy as sa

from workbench.export import run as export_run
from workbench.pay import service as pay_service
from workbench.store.models import User
from workbench.workflow import access
from workbench.workflow.errors import PermissionDenied
from workbench.workflow.service import DELEGATES, Workbench

GUARDS = frozenset(name for name in dir(access) if name.startswith(("current", "require_", "may_")))

# Public methods that write without an acting user: the reason is why no check applies.
UNGUARDED = {
    "authenticate": "sign-in itself: nobody is signed in yet (failed attempts are throttled)",
    "close_session": "sign-out: whoever holds the token may end it",
    "submit_application": "an applicant has no account yet",
    "process_clip": "the queue worker (the system) processes what an admin imported",
    "recover_stalled_clips": "the queue worker (the system) at start-up",
    "requeue_lost_jobs": "the queue worker's sweep (the system) queues again what an admin's import queued",
    "draft_clip": "the drafts queue's worker (the system) drafts what an admin's import queued",
}
# Public methods that write without an audit entry: the reason is where the history lives.
UNAUDITED = {
    "authenticate": "attempts are kept in login_attempts",
    "open_session": "sessions are kept in user_sessions, with their times",
    "close_session": "sessions are kept in user_sessions, with their times",
    "record_audio_sent": "listening evidence is kept in audio_sent",
    "record_play": "listening evidence is kept in plays",
    "record_check_audio_sent": "a senior's listening evidence is kept in audio_sent",
    "record_check_play": "a senior's listening evidence is kept in plays",
    "record_dispute_audio_sent": "a dispute settler's listening evidence is kept in audio_sent",
    "record_dispute_play": "a dispute settler's listening evidence is kept in plays",
    "record_activity": "time on task is kept in task_time, one row per worker, task and role",
    "apply_sentence_hint": "its own transaction only reads (locking the task); the change is made "
                           "by split_segment or merge_with_next, which audit it",
}


# --- the checker ------------------------------------------------------------------------

class Facts:
    """What one function's body does: the calls it makes and what they touch."""

    def __init__(self, node: ast.FunctionDef):
        self.params = [a.arg for a in node.args.args + node.args.kwonlyargs]
        self.calls: set[str] = set()
        self.guards = self.audits = self.writes = self.reads = False
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
            func = call.func
            if isinstance(func, ast.Name):
                self.calls.add(func.id)
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                owner, name = func.value.id, func.attr
                self.calls.add(name if owner == "self" else f"{owner}.{name}")  # a module's helper
                self.guards |= owner == "access" and name in GUARDS
                self.audits |= (owner, name) in {("self", "_audit"), ("audit", "record"), ("ctx", "audit")}
            elif (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute)
                  and isinstance(func.value.value, ast.Name) and func.value.value.id == "self"):
                self.calls.add(f"{func.value.attr}.{func.attr}")  # a collaborator's method
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute) and func.value.attr == "store":
                self.writes |= func.attr == "session"
                self.reads |= func.attr == "reading"


def functions_of(source: str) -> dict[str, Facts]:
    tree = ast.parse(textwrap.dedent(source))
    nodes = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    return {node.name: Facts(node) for node in nodes}


def reach(functions: dict[str, Facts], name: str, what: str, public: frozenset[str] = frozenset(),
          seen: set[str] | None = None) -> bool:
    """Whether ``name`` or a helper it calls (within ``functions``: a private method, a
    collaborator's method, a module's function) does ``what``. Another public function is
    not followed: it is a transaction of its own, so its check does not cover what the
    caller does in its own transactions."""
    seen = set() if seen is None else seen
    if name in seen or name not in functions:
        return False
    seen.add(name)
    facts = functions[name]
    return getattr(facts, what) or any(reach(functions, callee, what, public, seen) for callee in facts.calls
                                       if callee not in public and not callee.startswith("self."))


def violations(functions: dict[str, Facts], public: list[str]) -> list[str]:
    found = []
    others = frozenset(public)
    for name in public:
        facts = functions[name]
        writes = reach(functions, name, "writes", others - {name})
        # A function that opens no transaction of its own only composes public ones.
        opens = writes or reach(functions, name, "reads", others - {name})
        if (opens and ("actor" in facts.params or writes) and name not in UNGUARDED
                and not reach(functions, name, "guards", others - {name})):
            found.append(f"{name} does not ask workflow.access")
        if writes and name not in UNAUDITED and not reach(functions, name, "audits", others - {name}):
            found.append(f"{name} changes state without the audit writer")
    return found


def service_functions(service: str) -> dict[str, Facts]:
    """The methods of the service the ``Workbench`` keeps as ``service``, the functions of its
    module (by name and as ``module.name``), and its collaborators' methods (as
    ``collaborator.name``): what one of its public methods can reach."""
    cls = DELEGATES[service][0]
    functions = functions_of(inspect.getsource(sys.modules[cls.__module__]))
    module = cls.__module__.rpartition(".")[2]
    functions.update({f"{module}.{name}": facts for name, facts in list(functions.items())})
    for base in reversed(cls.__mro__):  # a subclass's method wins, as at run time
        if base.__module__.startswith("workbench."):
            functions.update(functions_of(inspect.getsource(base)))
    for name, value in vars(sample_workbench()).items():
        if name != "ctx" and value is not None:
            functions.update({f"{name}.{method}": facts
                              for method, facts in functions_of(inspect.getsource(type(value))).items()})
            helpers = sys.modules[type(value).__module__]
            functions.update({f"{helpers.__name__.rpartition('.')[2]}.{f}": facts
                              for f, facts in functions_of(inspect.getsource(helpers)).items()})
    return functions


def sample_workbench() -> Workbench:
    """A ``Workbench`` built over nothing, only to see which services it composes."""
    return Workbench(store=None, data_dir=Path("."), clock=None, policy=None, queue=None)


def workbench_functions() -> dict[str, Facts]:
    functions: dict[str, Facts] = {}
    for service in DELEGATES:
        functions.update(service_functions(service))
    return functions


# --- the promises -----------------------------------------------------------------------

@pytest.mark.parametrize("service", list(DELEGATES))
def test_every_public_workbench_method_goes_through_access_and_the_audit_writer(service):
    public = list(DELEGATES[service][1])
    assert violations(service_functions(service), public) == []


def test_the_facade_delegates_every_public_method_of_its_services_and_no_other():
    delegated = {name for _, names in DELEGATES.values() for name in names}
    assert len(delegated) > 40  # the facade really was read
    for service, (cls, names) in DELEGATES.items():
        own = {name for name, value in vars(cls).items() if callable(value) and not name.startswith("_")}
        # What one service offers another, not the UI: clips queue drafting, applications check
        # and hash an applicant's password as accounts do, a claim asks for the grade's limit,
        # gold's seams: a copy mixed in beside a new task, skipped at a claim, scored at a submit;
        # double transcription's: a second task mixed in, skipped at a claim, texts kept at a submit,
        # settled texts written when a review completes the task;
        # the quality rules' seams: projects a worker is barred from, who may start a review, sampling;
        # the draft holdback's: a new task perhaps held back from drafts.
        shared = {"queue_drafting", "check_new_account", "hash_password", "max_tasks",
                  "mix_gold", "gold_to_skip", "score_gold", "mix_double", "double_to_skip", "keep_double_texts",
                  "apply_settlements", "mix_holdback",
                  "suspended_projects", "barred_projects", "gate_review", "sample_for_seniors"}
        assert own - shared == set(names), service
        assert all(getattr(Workbench, name) is getattr(cls, name) for name in names)


def source_of(module: types.ModuleType) -> str:
    """A module's source; for a package, that of every module in it."""
    if not hasattr(module, "__path__"):
        return inspect.getsource(module)
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(Path(module.__path__[0]).glob("*.py")))


@pytest.mark.parametrize("module", [pay_service, export_run], ids=["pay", "export"])
def test_every_pay_and_export_function_goes_through_access_and_the_audit_writer(module):
    functions = functions_of(source_of(module))
    public = [name for name, facts in functions.items()
              if not name.startswith("_") and facts.params[:2] == ["wb", "actor"]]
    assert public
    assert violations(functions, public) == []


def test_only_the_access_module_refuses_permission_below_the_ui():
    from pathlib import Path

    import workbench

    root = Path(workbench.__file__).parent
    refusing = set()
    for path in root.rglob("*.py"):
        if path.relative_to(root).parts[0] == "ui":
            continue  # the web shell's own sign-in answers
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and \
                    getattr(node.exc.func, "id", None) == "PermissionDenied":
                refusing.add(path.relative_to(root).as_posix())
    assert refusing == {"workflow/access.py"}


def test_the_exemptions_name_real_methods_so_none_outlives_its_method():
    functions = workbench_functions()
    assert set(UNGUARDED) | set(UNAUDITED) <= set(functions)


def test_the_checker_catches_a_method_that_skips_the_check_or_the_audit():
    planted = '''
class Planted:
    def rename(self, actor, name):
        with self.store.session() as session:
            self._rename(session, name)
    def _rename(self, session, name):
        self._audit(session, None, "renamed", "thing", 1)
    def forget(self, actor):
        with self.store.session() as session:
            access.require_admin(session, actor)
    def peek(self, actor):
        with self.store.reading() as session:
            return session
    def fine(self, actor):
        with self.store.session() as session:
            self._check(session, actor)
            self._audit(session, actor.id, "fine", "thing", 1)
    def _check(self, session, actor):
        access.may_view(access.current(session, actor), None)
'''
    functions = functions_of(planted)
    assert violations(functions, ["rename", "forget", "peek", "fine"]) == [
        "rename does not ask workflow.access",
        "forget changes state without the audit writer",
        "peek does not ask workflow.access",
    ]


# --- the access rules at work -----------------------------------------------------------

def test_a_resolved_session_gives_a_fresh_actor_that_is_not_read_again(wb, wb_people, wb_clip):
    wb_clip()
    task = wb.claim_next(wb_people.tina)
    [segment] = wb.open_task(wb_people.tina, task.id).segments[:1]
    actor = wb.session_actor(wb.open_session(wb_people.tina))
    assert actor == wb_people.tina and actor.fresh and not wb_people.tina.fresh
    user_reads = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and " users" in statement.lower():
            user_reads.append(statement)

    sa.event.listen(wb.store.engine, "before_cursor_execute", count)
    try:
        wb.save_text(actor, segment.id, "안녕하세요", base_version=segment.version)
        fresh_reads = len(user_reads)
        wb.save_text(wb_people.tina, segment.id, "안녕하세요.", base_version=segment.version + 1)
    finally:
        sa.event.remove(wb.store.engine, "before_cursor_execute", count)
    assert fresh_reads == 0
    assert len(user_reads) == 1  # a stored actor is read again, in the transaction that acts


def test_a_closed_accounts_session_resolves_to_nobody(wb, wb_people):
    token = wb.open_session(wb_people.tina)
    wb.deactivate_user(wb_people.admin, "tina", reason="left")
    assert wb.session_actor(token) is None


def test_an_actor_kept_from_before_a_role_change_is_checked_as_stored_now(wb, wb_people, wb_clip):
    wb_clip()
    # No page changes roles; an operator does it in the database, and the next request must see it.
    with wb.store.session() as session:
        session.execute(sa.update(User).where(User.username == "tina").values(is_transcriber=False, is_reviewer=True))
    with pytest.raises(PermissionDenied):
        wb.claim_next(wb_people.tina)  # the Actor still says transcriber; the store does not


def test_something_that_is_not_an_actor_is_refused():
    not_an_actor = types.SimpleNamespace(id=1, roles=frozenset({"admin"}), fresh=True)
    with pytest.raises(PermissionDenied):
        access.current(None, not_an_actor)

