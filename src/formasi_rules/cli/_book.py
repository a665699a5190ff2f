"""``formasi book POLICY_DIR -o DIR``: the policy as a static website for policy staff."""

from __future__ import annotations

import click

from ..policy import load_policy
from ._common import POLICIES, command
from ._policies import policy_argument


@click.command("book")
@click.argument("policy_dir", type=click.Path(file_okay=False))
@POLICIES
@click.option("-o", "--output", type=click.Path(file_okay=False, writable=True), required=True,
              help="Folder to write the site into (created; its pages are replaced).")
@command
def book(policy_dir, policies, output):
    """Write POLICY_DIR as a website: every route and level, rule, field and table, in
    Bahasa Indonesia and English, with citations, test cases, an "as of" selector and search.
    Open OUTPUT/index.html in a browser; no server or network is needed."""
    from ..book import build_book

    policy = load_policy(policy_argument(policy_dir, policies))
    result = build_book(policy, output)
    click.echo(f"{len(result.pages)} pages written to {result.root}/ (policy {policy.name} {policy.version}); "
               f"open {result.root / 'index.html'}", err=True)
