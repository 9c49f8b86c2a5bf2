"""Mutation testing of recall's core, one module at a time, each against its own fast tests (issue 17).

mutmut 3 changes the module's code one small edit at a time (a `<` for a `<=`, a constant plus one, a
`None` for a value...) and runs the tests that reach the changed function: a mutant the tests still pass
on "survived" and points at a rule no test states. Each module runs in a throwaway copy of the project
(recall/, nn/, cards/, tests/, bench/ and pyproject.toml with a [tool.mutmut] section added), so the work tree
and its pyproject are never touched, at the lowest priority (nice 19) and with one worker by default:
the machine stays usable. A full run of every module took 52 minutes with one worker on 2 shared cores
(the slowest: export, 17 min; store, 12 min). `--max-children 2` uses both cores (not measured here).

    pip install -e ".[test,mutation]"             # mutmut 3
    python bench/mutation.py                      # every module; prints killed/survived/score per module
    python bench/mutation.py sm2 scheduler        # some of them (--list names them)
    python bench/mutation.py study --show         # ... with the diff of each survivor
    python bench/mutation.py config --keep        # keep the copy, to look with `mutmut browse` in it

Prints, per module: mutants, killed, survived, no tests (mutants no selected test reaches), timeouts,
equivalent survivors and the score (killed + timeouts) / (mutants checked - equivalent ones); then every
survivor by name, each equivalent one with its reason. An equivalent mutant changes no behaviour, so no
test can kill it. Two kinds are counted as such, both visibly: those listed with a one-line reason in
bench/equivalent_mutants.md, and those that only change the case of SQL text outside its quoted literals
(SQL keywords and names are case-insensitive; mutmut has no way to skip them). A listed mutant that was
killed or no longer exists is reported as a stale entry. Exit status 0 unless a run failed (a survivor is
a finding, not a failure).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("recall", "nn", "cards", "tests", "bench")  # bench: tests/test_offline_grader.py runs its eval
RULE_TESTS = "tests/test_rules_*.py"
EQUIVALENT_LIST = ROOT / "bench" / "equivalent_mutants.md"
LISTED_EQUIVALENT = re.compile(r"^- `(recall\.[^`]+)`: (.+)$")
SQL_CASE_REASON = "changes only the case of SQL text outside its quoted literals (SQL is case-insensitive)"
SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|PRAGMA|CREATE|WHERE|FROM|GROUP BY|ORDER BY|JOIN|LIMIT|AND|"
                       r"VALUES|ON CONFLICT|IS NULL|IS NOT NULL|SUM\(|COUNT\()")
QUOTED_LITERAL = re.compile(r"'[^']*'")
SCHEDULING_TESTS = ("tests/test_sm2.py", "tests/test_doctor.py", RULE_TESTS)
# A migration test (schema.py's) whose subprocess has 5 s to import the mutated copy: too little on a loaded
# machine (the stats run fails), and it checks no rule of the modules that leave it out.
NOT_THE_MIGRATION_SUBPROCESS = (
    "--deselect=tests/test_store.py::TestForeignFiles::test_a_version_1_database_is_migrated_with_a_backup")
# The store's own tests, and those of the use cases that reach its methods (study: drills, drafts, undo).
STORE_TESTS = ("tests/test_store.py", "tests/test_store_queries.py", "tests/test_doctor.py",
               "tests/test_rules_stats.py", "tests/test_rules_store.py", "tests/test_study.py",
               "tests/test_study_trust.py", "tests/test_rules_study.py", "tests/test_collection.py",
               "tests/test_rules_store_scope.py",
               NOT_THE_MIGRATION_SUBPROCESS)
GRADING_TESTS = ("tests/test_offline_grader.py", "tests/test_grading_rule.py", "tests/test_rules_grading.py",
                 "tests/test_rules_grading_base.py", "tests/test_rules_offline.py")
# module name -> (the file mutated, the tests run against it: its own, and the rule tests that state its rules)
MODULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "sm2": ("recall/sm2.py", SCHEDULING_TESTS),
    "scheduler": ("recall/scheduler.py", SCHEDULING_TESTS),
    "study": ("recall/study.py", ("tests/test_study.py", "tests/test_study_trust.py", "tests/test_rules_study.py",
                                  "tests/test_daily_load.py")),
    "store": ("recall/store.py", STORE_TESTS),
    "deck_sync": ("recall/deck_sync.py", ("tests/test_rules_deck_sync.py", "tests/test_deck_sync.py",
                                          "tests/test_reliability.py::TestDeckFileCache", "tests/test_store.py",
                                          "tests/test_rules_store.py", NOT_THE_MIGRATION_SUBPROCESS,
                                          "--deselect=tests/test_reliability.py::TestDeckFileCache::"
                                          "test_a_no_change_start_of_the_cli_does_not_read_the_decks")),
    "stats": ("recall/stats.py", ("tests/test_rules_stats.py", "tests/test_progress_stats.py",
                                  "tests/test_token_totals.py", "tests/test_store.py", "tests/test_rules_store.py",
                                  "tests/test_rules_store_scope.py", NOT_THE_MIGRATION_SUBPROCESS)),
    "review_query": ("recall/review_query.py", ("tests/test_store_queries.py", "tests/test_rules_stats.py",
                                                "tests/test_rules_export.py", "tests/test_rules_review_query.py")),
    "schema": ("recall/schema.py", ("tests/test_rules_schema.py", "tests/test_token_totals.py",
                                    "tests/test_migrations.py", "tests/test_store.py")),
    "database_file": ("recall/database_file.py", ("tests/test_rules_database_file.py",
                                                  "tests/test_store_file_checks.py", "tests/test_store.py",
                                                  "tests/test_migrations.py", NOT_THE_MIGRATION_SUBPROCESS)),
    "export": ("recall/export.py", ("tests/test_export.py", "tests/test_export_files.py",
                                    "tests/test_rules_export.py")),
    "json_text": ("recall/json_text.py", ("tests/test_rules_export.py", "tests/test_deck_sync_json.py")),
    "deck": ("recall/deck.py", ("tests/test_deck.py", "tests/test_deck_discovery.py", "tests/test_rules_deck.py",
                                "tests/test_parse_under_app.py")),
    "grading.base": ("recall/grading/base.py", GRADING_TESTS),
    "grading.offline": ("recall/grading/offline.py", GRADING_TESTS),
    "importer": ("recall/importer.py", ("tests/test_import.py", "tests/test_import_packages.py",
                                        "tests/test_rules_importer.py")),
    "config": ("recall/config.py", ("tests/test_config.py", "tests/test_rules_config.py")),
}
# mutmut's exit codes per mutant (mutmut/stats.py), grouped as this report counts them.
STATUS_BY_EXIT_CODE = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
                       36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout",
                       37: "caught by type check", -9: "segfault", -11: "segfault", None: "not checked"}


@dataclass
class Outcome:
    module: str
    statuses: dict[str, str] = field(default_factory=dict)  # mutant name -> status
    equivalent: dict[str, str] = field(default_factory=dict)  # survivor -> why it changes no behaviour
    stale: list[str] = field(default_factory=list)  # listed as equivalent, but killed or gone
    seconds: float = 0.0
    error: str = ""

    def count(self, *statuses: str) -> int:
        return sum(status in statuses for status in self.statuses.values())

    @property
    def killed(self) -> int:
        return self.count("killed", "timeout", "caught by type check")

    @property
    def score(self) -> float | None:
        """Killed among the mutants checked that could be killed (equivalent ones cannot)."""
        tested = len(self.statuses) - self.count("skipped", "not checked") - len(self.equivalent)
        return (self.killed / tested) if tested else None

    @property
    def survivors(self) -> list[str]:
        return sorted(name for name, status in self.statuses.items() if status in ("survived", "no tests"))


def mutmut_command() -> list[str]:
    """mutmut from this Python's environment."""
    found = Path(sys.executable).with_name("mutmut")
    if found.exists():
        return [str(found)]
    if shutil.which("mutmut"):
        return ["mutmut"]
    raise SystemExit("mutmut is not installed: pip install -e \".[mutation]\" (mutmut 3)")


def test_files(patterns: tuple[str, ...]) -> list[str]:
    """The test files a module runs against, those that exist (globs expanded), and pytest options."""
    files: list[str] = []
    for pattern in patterns:
        if pattern.startswith("--") or "::" in pattern:  # a pytest option (--deselect), or one test class
            files.append(pattern)
            continue
        matches = sorted(str(path.relative_to(ROOT)) for path in ROOT.glob(pattern))
        if not matches:
            print(f"  (no {pattern}: left out)", flush=True)
        files += matches
    return files


def toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def prepare(workdir: Path, source: str, tests: list[str]) -> None:
    """A copy of the project that mutates `source` only and runs only `tests`."""
    for name in COPIED:
        shutil.copytree(ROOT / name, workdir / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pyproject += f"""
[tool.mutmut]
source_paths = ["recall"]
only_mutate = [{json.dumps(source)}]
also_copy = ["nn", "cards", "bench"]
pytest_add_cli_args_test_selection = {toml_list(tests)}
pytest_add_cli_args = ["-p", "no:cacheprovider"]
"""
    (workdir / "pyproject.toml").write_text(pyproject, encoding="utf-8")


def statuses(workdir: Path) -> dict[str, str]:
    """Every mutant's status, from the .meta files mutmut keeps beside the mutated copies."""
    found: dict[str, str] = {}
    for meta in (workdir / "mutants").rglob("*.meta"):
        data = json.loads(meta.read_text(encoding="utf-8"))
        for name, code in data.get("exit_code_by_key", {}).items():
            found[name] = STATUS_BY_EXIT_CODE.get(code, "suspicious")
    return found


def listed_equivalents(path: Path = EQUIVALENT_LIST) -> dict[str, str]:
    """Mutant name -> reason, from the `- `name`: reason` lines of bench/equivalent_mutants.md."""
    if not path.exists():
        return {}
    return {match[1]: match[2] for line in path.read_text(encoding="utf-8").splitlines()
            if (match := LISTED_EQUIVALENT.match(line))}


def changed_lines(workdir: Path, source: str) -> dict[str, tuple[list[tuple[str, str]], bool]]:
    """Mutant function name -> its (original line, mutated line) pairs and whether the function reads
    result rows by column name (`_dicts`), read from the mutated copy mutmut writes, where each mutant is a
    function beside the original."""
    text = (workdir / "mutants" / source).read_text(encoding="utf-8")
    lines = text.splitlines()
    bodies = {node.name: lines[node.lineno:node.end_lineno] for node in ast.walk(ast.parse(text))
              if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    changes = {}
    for name, mutant in bodies.items():
        original = bodies.get(re.sub(r"__mutmut_\d+$", "__mutmut_orig", name))
        if "__mutmut_" in name and not name.endswith("_orig") and original and len(original) == len(mutant):
            changes[name] = ([(old, new) for old, new in zip(original, mutant) if old != new],
                             any("_dicts(" in line for line in mutant))
    return changes


def is_sql_case_change(old: str, new: str, rows_by_name: bool) -> bool:
    """`new` is `old` with only letters' case changed in SQL text, its '...' literals (compared exactly)
    left alone: "SELECT id FROM cards WHERE kind = 'drill'" -> "select id from cards where kind = 'drill'".
    Upper-casing also renames the result's columns, which matters where rows are read by name."""
    return (old != new and old.lower() == new.lower() and bool(SQL_WORDS.search(old))
            and QUOTED_LITERAL.findall(old) == QUOTED_LITERAL.findall(new)
            and not (rows_by_name and new != old.lower()))


def equivalents(workdir: Path, source: str, survivors: list[str],
                listed: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The survivors that are equivalent mutants, with why; and the listed names that did not survive."""
    changes = changed_lines(workdir, source)
    found = {}
    for name in survivors:
        changed, rows_by_name = changes.get(name.rsplit(".", 1)[-1], ([], False))
        if name in listed:
            found[name] = listed[name]
        elif changed and all(is_sql_case_change(old, new, rows_by_name) for old, new in changed):
            found[name] = SQL_CASE_REASON
    prefix = source.removesuffix(".py").replace("/", ".") + "."
    stale = sorted(name for name in listed if name.startswith(prefix) and name not in found)
    return found, stale


def run_module(module: str, workroot: Path, max_children: int, show: bool, keep: bool) -> Outcome:
    source, patterns = MODULES[module]
    print(f"== {module}: mutating {source}", flush=True)
    tests = test_files(patterns)
    workdir = workroot / module.replace(".", "_")
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    outcome = Outcome(module)
    started = time.monotonic()
    try:
        prepare(workdir, source, tests)
        log = workdir / "mutmut.log"
        with log.open("w") as output:
            run = subprocess.run([*mutmut_command(), "run", "--max-children", str(max_children)], cwd=workdir,
                                 stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        outcome.statuses = statuses(workdir)
        if run.returncode != 0 or not outcome.statuses:
            tail = log.read_text(errors="replace").splitlines()[-15:]
            outcome.error = f"mutmut run exited {run.returncode}:\n    " + "\n    ".join(tail)
        else:
            outcome.equivalent, outcome.stale = equivalents(workdir, source, outcome.survivors, listed_equivalents())
        if show:
            for name in sorted(set(outcome.survivors) - set(outcome.equivalent)):
                diff = subprocess.run([*mutmut_command(), "show", name], cwd=workdir, capture_output=True, text=True)
                print(diff.stdout.rstrip(), flush=True)
    finally:
        outcome.seconds = time.monotonic() - started
        if keep:
            print(f"  kept in {workdir}", flush=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report(outcome)
    return outcome


def report(outcome: Outcome) -> None:
    print(f"  {outcome.module}: {len(outcome.statuses)} mutants, {outcome.count('killed')} killed, "
          f"{outcome.count('survived')} survived ({len(outcome.equivalent)} equivalent), "
          f"{outcome.count('no tests')} no tests, {outcome.count('timeout')} timeouts, "
          f"score {percent(outcome.score)} ({outcome.seconds:.0f} s)", flush=True)
    for name in outcome.survivors:
        note = f" (equivalent: {outcome.equivalent[name]})" if name in outcome.equivalent else ""
        print(f"    {outcome.statuses[name]}: {name}{note}", flush=True)
    for name in outcome.stale:
        print(f"    stale entry in {EQUIVALENT_LIST.name} (killed or gone): {name}", flush=True)
    if outcome.error:
        print(f"  error: {outcome.error}", flush=True)


def percent(score: float | None) -> str:
    return f"{score:.1%}" if score is not None else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=f"default: all of {', '.join(MODULES)}")
    parser.add_argument("--list", action="store_true", help="list the modules and their tests, and stop")
    parser.add_argument("--show", action="store_true", help="print the diff of every survivor")
    parser.add_argument("--keep", action="store_true", help="keep each module's copy (for `mutmut browse`)")
    parser.add_argument("--max-children", type=int, default=1, help="mutmut's workers (default: 1)")
    parser.add_argument("--workdir", type=Path, help="where the copies go (default: a temporary directory)")
    args = parser.parse_args(argv)
    if args.list:
        for module, (source, patterns) in MODULES.items():
            print(f"{module:<16} {source:<28} {' '.join(patterns)}")
        return 0
    unknown = [module for module in args.modules if module not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; choose from {', '.join(MODULES)}")
    os.nice(max(0, 19 - os.nice(0)))  # the lowest priority, for this process and every child
    workroot = args.workdir or Path(tempfile.mkdtemp(prefix="recall-mutation-"))
    outcomes = [run_module(module, workroot, args.max_children, args.show, args.keep)
                for module in (args.modules or list(MODULES))]
    print("\nmodule            mutants  killed  survived  no tests  timeouts  equivalent   score    time")
    for outcome in outcomes:
        print(f"{outcome.module:<16} {len(outcome.statuses):>8} {outcome.count('killed'):>7} "
              f"{outcome.count('survived'):>9} {outcome.count('no tests'):>9} {outcome.count('timeout'):>9} "
              f"{len(outcome.equivalent):>11} {percent(outcome.score):>7} {outcome.seconds / 60:>5.0f} min")
    if not args.workdir and not args.keep:
        shutil.rmtree(workroot, ignore_errors=True)
    return 1 if any(outcome.error for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
