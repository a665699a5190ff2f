"""Commands about a policy itself: ``check``, ``test``, ``validate``, ``policies`` and ``schema``."""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

import click

from .._errors import FormasiError
from ..engine import BACKENDS, BackendWarning, Engine
from ..policy import load_policy
from ..schemas import NAMES as SCHEMAS
from ..schemas import schema as json_schema
from ._policies import available, policy_argument, roots
from ._common import (
    POLICIES, Date, load, command, main,
)


@main.command("check")
@click.argument("policy_dir", type=click.Path(file_okay=False))
@POLICIES
@click.option("--as-of", type=Date(), default=None, help="Date of the property checks [default: every period of the policy].")
@click.option("--max-examples", type=click.IntRange(1, 100_000), default=300, show_default=True,
              help="Generated examples per property (the seed is fixed: the same run every time).")
@click.option("--static-only", is_flag=True, help="Skip the property checks.")
@command
def check_policy(policy_dir, policies, as_of, max_examples, static_only):
    """Check a policy for consistency: static checks, then property checks with a fixed seed."""
    from ..testing import cases_yaml, check

    folder = policy_argument(policy_dir, policies)
    policy = load_policy(folder)  # a policy that does not load: its problems, and exit 2, as validate says them
    findings = check(folder, as_of=as_of, max_examples=max_examples, properties=not static_only)
    for f in findings:
        place = f"{f.file}:{f.line}" if f.file and f.line else (f.file or "")
        rules = f" [rule {', '.join(f.rules)}]" if f.rules else ""
        mark = {"info": " (info)", "undecided": " (undecided)"}.get(f.severity, "")
        click.echo(f"{f.code} {place}{rules}{mark}")
        click.echo(f"  {f.en}")
        click.echo(f"  {f.id}")
        if f.fix is not None:
            click.echo(f"  fix: {f.fix.en}")
            click.echo(f"  perbaikan: {f.fix.id}")
        for c in f.citations:
            click.echo(f"  citation: {c['title']}" + (f", {c['article']}" if c.get("article") else ""))
        if f.cases:
            click.echo("  test cases (evaluated on every backend) to paste into the policy's tests/ folder:")
            for line in cases_yaml(f.cases).splitlines():
                click.echo(f"    {line}")
    # exit 1 for a defect or a question the reasoner could not settle; information alone (a window
    # closed by its dates) exits 0; a policy that does not load has exited 2 already, as in validate
    defects = [f for f in findings if f.severity == "defect"]
    undecided = [f for f in findings if f.severity == "undecided"]
    info = [f for f in findings if f.severity == "info"]
    if defects or undecided:
        parts = [f"{len(defects)} finding(s)"] + ([f"{len(undecided)} undecided"] if undecided else []) + (
            [f"{len(info)} for information"] if info else [])
        click.echo(f"{parts[0]} in {policy_dir}" + (f" ({', '.join(parts[1:])})" if parts[1:] else ""))
        sys.exit(1)
    note = f"; {len(info)} for information" if info else ""
    if policy.abstract:
        click.echo(f"ok: {policy_dir} is a base (abstract: true): its files load and type-check; its rules "
                   "are checked in the policies that extend it")
        return
    click.echo(f"ok: no defect findings in {policy_dir} (static checks on every period, exact" + ("" if static_only else
               f"; property checks with {max_examples} examples, fixed seed") + f"{note})")


@main.command("test")
@click.argument("tests", type=click.Path(exists=True))
@click.option("--policy-dir", type=click.Path(file_okay=False), default=None,
              help="The policy the cases test [default: the folder above TESTS].")
@click.option("--coverage", "show_coverage", is_flag=True, help="List rules and table rows no case exercises.")
@click.option("--backend", type=click.Choice(BACKENDS), default=None, help="Rules engine [default: durable].")
@click.option("--allow-empty", is_flag=True, help="Pass when there are no cases (else an error: a suite that "
                                                   "runs nothing checks nothing).")
@command
def test_cases(tests, policy_dir, show_coverage, backend, allow_empty):
    """Run a policy's YAML test cases (a file, or a folder of them)."""
    from ..testing import coverage, load_cases, run_case

    tests, policy_dir = _cases_and_policy(Path(tests), policy_dir)
    policy = load_policy(policy_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BackendWarning)
        engine = Engine(policy, backend=backend)
    try:
        results = [run_case(engine, case) for case in load_cases(tests, allow_empty=allow_empty)]
    finally:
        engine.close()
    for r in results:
        mark = "ok  " if r.passed else "FAIL"
        click.echo(f"{mark} {Path(r.case.file).name}:{r.case.line}  {r.case.name}")
        for failure in r.failures:  # a failure of several lines (the problems of a case's input) kept under it
            click.echo("       " + failure.replace("\n", "\n       "))
    failed = sum(not r.passed for r in results)
    if show_coverage:
        gaps = coverage(policy, results)
        ids = {r.id for r in policy.rules}
        click.echo(f"coverage: {len(ids) - len(gaps['rules'])} of {len(ids)} "
                   "rules shown failing (or adjusting) by some case; rows no case read: "
                   f"{len(gaps['rows'])}")
        for rule in gaps["rules"]:
            click.echo(f"  rule not exercised: {rule}")
        for row in gaps["rows"]:
            click.echo(f"  table row not read: {row}")
    click.echo(f"{len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def _cases_and_policy(tests: Path, policy_dir: str | None) -> tuple[Path, Path]:
    """The cases to run and the policy they test. A policy folder given as TESTS runs its own
    ``tests/``; without --policy-dir the policy is the folder that holds the cases' folder."""
    if tests.is_dir() and (tests / "policy.yaml").is_file():
        if not (tests / "tests").is_dir():
            raise FormasiError(f"the policy {tests} has no tests/ folder: write its cases in {tests / 'tests'} "
                               f"(docs/checking.md) / kebijakan {tests} belum punya folder tests/")
        return tests / "tests", Path(policy_dir) if policy_dir else tests
    if tests.name == "policy.yaml":
        raise FormasiError(f"{tests} is a policy file, not test cases: run `formasi test {tests.parent}` for the "
                           f"policy's own tests / {tests} adalah berkas kebijakan, bukan kasus uji")
    if policy_dir:
        return tests, Path(policy_dir)
    folder = tests if tests.is_dir() else tests.parent
    above = Path(os.path.normpath(folder / ".."))  # "." is inside tests/: its policy is ".."
    if not (above / "policy.yaml").is_file():
        raise FormasiError(f"no policy holds {folder}: cases live in a policy's tests/ folder; put them there, or "
                           f"name the policy with --policy-dir / tidak ada kebijakan di atas {folder}; "
                           "pakai --policy-dir")
    return tests, above


@main.command()
@click.argument("policy_dir", type=click.Path(file_okay=False))
@POLICIES
@click.option("--backend", type=click.Choice(BACKENDS), default=None,
              help="Also compile the policy for this engine [default: durable where available].")
@command
def validate(policy_dir, policies, backend):
    """Check a policy folder (or a policy's name): every file, every rule, and that the engine can run it."""
    policy = load_policy(policy_argument(policy_dir, policies))
    if policy.abstract:
        click.echo(f"ok: policy {policy.name} {policy.version} ({policy.digest[:19]}…) is a base for other "
                   f"policies (abstract): {len(policy.fields)} fields, {len(policy.rules)} rules, "
                   f"{len(policy.tables)} tables; it is compiled and run in the policies that extend it")
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BackendWarning)
        engine = Engine(policy, backend=backend)
    plans = engine.plans
    engine.close()
    click.echo(f"ok: policy {policy.name} {policy.version} ({policy.digest[:19]}…)")
    click.echo(f"  {len(policy.rules)} rules, {len(policy.tables)} tables, {len(plans)} period(s) "
               f"from {policy.coverage.valid_from}, compiled for {engine.backend.name}")
    for plan in plans:
        click.echo(f"  {plan.period.valid_from} – {plan.period.valid_to or '…'}: "
                   f"{len(plan.checks)} checks over {len(plan.targets)} route/level pairs")
    from ..testing._dates import lapses  # (formasi check's C030: said here too, as a note, not refused)
    for found in lapses(policy):  # a rule no version of which is in force on some days: a moratorium, or a slip
        click.echo(f"note: {found.en} ({found.file}:{found.line}); `formasi check` reports it as C030")
    folder = policy.layers[-1]  # the folder's name (a copy may be renamed: said, not refused)
    if policy.name != folder:
        click.echo(f"note: the policy names itself {policy.name!r} in policy.yaml, its folder is {folder!r}: results "
                   f"and --policy {folder} will name {policy.name!r}; a policy.yaml copied from another position? "
                   f"/ nama kebijakan berbeda dengan nama foldernya")


@main.command("policies")
@POLICIES
@command
def list_policies(policies):
    """List the policies found (in --policies DIR, or ./policies and those shipped with formasi_rules)."""
    found = available(policies)
    invalid = 0
    for name, folder in found:
        try:
            policy = load_policy(folder)
            title = policy.title.en if hasattr(policy.title, "en") else str(policy.title)
            click.echo(f"{name:<24} {policy.version:<10} {folder}")
            click.echo(f"  {title}")
        except FormasiError as exc:
            invalid += 1
            lines = str(exc).splitlines()
            click.echo(f"{name:<24} {'(invalid)':<10} {folder}")
            click.echo(f"  {lines[0]}" + (f": {lines[1].strip()}" if len(lines) > 1 else ""))
            if len(lines) > 2:
                click.echo(f"  ... {len(lines) - 2} more: formasi validate {folder}")
    if not found:
        looked = "; ".join(f"{what} ({root.resolve()})" for what, root in roots(policies))
        raise FormasiError(f"no policies found; looked in {looked}")
    if invalid:  # listed, and said by the exit status too (a script checking the policies sees it)
        sys.exit(1)


@main.command()
@click.argument("which", type=click.Choice(SCHEMAS))
@POLICIES
@click.option("--policy", "policy_name", default=None,
              help="The schema for this policy: its routes and levels; for 'candidate' also its vocabularies "
                   "and added fields.")
@command
def schema(which, policies, policy_name):
    """Print a JSON Schema: of policy files, candidate records, evaluation results (full or compact
    layout), formation output or YAML test cases."""
    policy = load(policies, policy_name) if policy_name else None
    click.echo(json.dumps(json_schema(which, policy), indent=2, ensure_ascii=False))
