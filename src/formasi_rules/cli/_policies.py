"""Where the command line finds policies.

The wheel ships every folder of the repository's ``policies/`` as package data
(``formasi_rules/_policies``, see pyproject.toml), so the commands work from any folder
after ``pip install``. A policy name is looked up, in order, in ``--policies DIR`` when it
is given (and only there), else in ``./policies`` (a project's own folder, as before),
then among the shipped policies. When it is in none, the error says where it looked.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from .._errors import FormasiError


def shipped_root() -> Path | None:
    """The folder of the policies that came with the package: package data in an installed
    wheel, the repository's ``policies/`` in a source checkout (an editable install)."""
    try:
        data = Path(str(files("formasi_rules").joinpath("_policies")))
    except (ModuleNotFoundError, TypeError):
        data = None
    if data is not None and data.is_dir():
        return data
    here = Path(__file__).resolve().parents[2]  # src/formasi_rules/cli -> src
    checkout = here.parent / "policies"
    if here.name == "src" and checkout.is_dir():
        return checkout
    return None


def roots(given: str | None) -> list[tuple[str, Path]]:
    """(what it is, folder) in the order they are searched."""
    if given is not None:
        return [("--policies", Path(given))]
    out = [("the current folder's policies/", Path("policies"))]
    shipped = shipped_root()
    if shipped is not None:
        out.append(("the policies shipped with formasi_rules", shipped))
    return out


def is_policy(folder: Path) -> bool:
    return (folder / "policy.yaml").is_file()


def available(given: str | None) -> list[tuple[str, Path]]:
    """(name, folder) of every policy found, the first of each name winning."""
    seen: dict[str, Path] = {}
    for _, root in roots(given):
        if root.is_dir():
            for folder in sorted(root.iterdir()):
                if is_policy(folder) and folder.name not in seen:
                    seen[folder.name] = folder
    return list(seen.items())


def find_policy(given: str | None, name: str) -> Path:
    """The folder of the policy ``name``, or a FormasiError saying where it looked."""
    looked = []
    for what, root in roots(given):
        folder = root / name
        if is_policy(folder):
            return folder
        state = "no such folder" if not root.is_dir() else "no policy of that name"
        looked.append(f"{what} ({root.resolve()}: {state})")
    names = ", ".join(n for n, _ in available(given)) or "none"
    raise FormasiError(f"no policy named {name!r}; looked in " + "; ".join(looked)
                       + f". Policies found: {names} ('formasi policies' lists them; --policies DIR for your own) "
                       f"/ kebijakan {name!r} tidak ditemukan")


def policy_argument(value: str, policies: str | None = None) -> Path:
    """A POLICY_DIR argument: a folder, or the name of a policy found as above (in ``policies``,
    a --policies DIR, where given: then a name not found there is the error saying where it looked)."""
    path = Path(value)
    if path.exists() or "/" in value or "\\" in value:
        return path
    try:
        return find_policy(policies, value)
    except FormasiError:
        if policies is not None:
            raise
        return path  # load_policy says what is wrong with it
