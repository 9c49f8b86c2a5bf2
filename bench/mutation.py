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

Prints, per module: mutants, killed, survived, no tests (mutants no selected test reaches), timeouts and
the score (killed + timeouts) / (mutants checked); then every survivor by name, those that only change a
string's case marked (SQL is case-insensitive: almost always equivalent), and a last table with the score
without them. Exit status 0 unless a run failed (a survivor is a finding, not a failure).
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
SCHEDULING_TESTS = ("tests/test_sm2.py", "tests/test_doctor.py", RULE_TESTS)
GRADING_TESTS = ("tests/test_offline_grader.py", "tests/test_grading_rule.py", "tests/test_rules_grading.py")
# module name -> (the file mutated, the tests run against it: its own, and the rule tests that state its rules)
MODULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "sm2": ("recall/sm2.py", SCHEDULING_TESTS),
    "scheduler": ("recall/scheduler.py", SCHEDULING_TESTS),
    "study": ("recall/study.py", ("tests/test_study.py", "tests/test_study_trust.py", "tests/test_rules_study.py")),
    "store": ("recall/store.py", ("tests/test_store.py", "tests/test_store_queries.py", "tests/test_doctor.py",
                                  "tests/test_rules_stats.py", "tests/test_rules_store.py")),
    "export": ("recall/export.py", ("tests/test_export.py", "tests/test_export_files.py",
                                    "tests/test_rules_export.py")),
    "deck": ("recall/deck.py", ("tests/test_deck.py", "tests/test_deck_discovery.py")),
    "grading.base": ("recall/grading/base.py", GRADING_TESTS),
    "grading.offline": ("recall/grading/offline.py", GRADING_TESTS),
    "importer": ("recall/importer.py", ("tests/test_import.py",)),
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
    case_only: set[str] = field(default_factory=set)  # survivors that only change letter case (see `case_only`)
    seconds: float = 0.0
    error: str = ""

    def count(self, *statuses: str) -> int:
        return sum(status in statuses for status in self.statuses.values())

    @property
    def score(self) -> float | None:
        tested = len(self.statuses) - self.count("skipped", "not checked")
        return (self.count("killed", "timeout", "caught by type check") / tested) if tested else None

    @property
    def score_without_case_only(self) -> float | None:
        tested = len(self.statuses) - self.count("skipped", "not checked") - len(self.case_only)
        return (self.count("killed", "timeout", "caught by type check") / tested) if tested else None

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
    """The test files a module runs against, those that exist (globs expanded)."""
    files: list[str] = []
    for pattern in patterns:
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


def case_only(workdir: Path, source: str, names: list[str]) -> set[str]:
    """The mutants among `names` that only change the case of a string ("SELECT" -> "select"): SQL
    keywords and names are case-insensitive, so these are almost always equivalent mutants. Read from the
    mutated copy mutmut writes, where each mutant is a function beside the original."""
    tree = ast.parse((workdir / "mutants" / source).read_text(encoding="utf-8"))
    lines = (workdir / "mutants" / source).read_text(encoding="utf-8").splitlines()
    bodies = {node.name: lines[node.lineno:node.end_lineno] for node in ast.walk(tree)
              if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    found = set()
    for name in names:
        function = name.rsplit(".", 1)[-1]
        mutant, original = bodies.get(function), bodies.get(re.sub(r"__mutmut_\d+$", "__mutmut_orig", function))
        if mutant is None or original is None or len(mutant) != len(original):
            continue
        changed = [(old, new) for old, new in zip(original, mutant) if old != new]
        if changed and all(old.lower() == new.lower() for old, new in changed):
            found.add(name)
    return found


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
        outcome.case_only = case_only(workdir, source, outcome.survivors)
        if run.returncode != 0 or not outcome.statuses:
            tail = log.read_text(errors="replace").splitlines()[-15:]
            outcome.error = f"mutmut run exited {run.returncode}:\n    " + "\n    ".join(tail)
        if show:
            for name in outcome.survivors:
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
          f"{outcome.count('survived')} survived ({len(outcome.case_only)} case only), "
          f"{outcome.count('no tests')} no tests, {outcome.count('timeout')} timeouts, "
          f"score {percent(outcome.score)} ({outcome.seconds:.0f} s)", flush=True)
    for name in outcome.survivors:
        note = " (case only)" if name in outcome.case_only else ""
        print(f"    {outcome.statuses[name]}: {name}{note}", flush=True)
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
    print("\nmodule            mutants  killed  survived  case only  no tests  timeouts   score  without case only")
    for outcome in outcomes:
        print(f"{outcome.module:<16} {len(outcome.statuses):>8} {outcome.count('killed'):>7} "
              f"{outcome.count('survived'):>9} {len(outcome.case_only):>10} {outcome.count('no tests'):>9} "
              f"{outcome.count('timeout'):>9} {percent(outcome.score):>7}  {percent(outcome.score_without_case_only)}")
    if not args.workdir and not args.keep:
        shutil.rmtree(workroot, ignore_errors=True)
    return 1 if any(outcome.error for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
