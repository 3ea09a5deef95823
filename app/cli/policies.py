"""The policies a command works with: loaded once from the settings, looked up by name with
one sentence when the name is unknown."""

from __future__ import annotations

import sys

from app.cli.errors import CommandError
from app.config import Settings
from app.domain.i18n import Catalog, said_in
from app.domain.textsafe import printable
from app.services.policy_files import PolicySet, load_policies, policy_sources


def command_policies(settings: Settings) -> PolicySet:
    policies = load_policies(policy_sources(settings.policy_dir, settings.policy_files))
    catalog = Catalog(settings.lang)
    for problem in policies.problems:
        print(f"warning: {printable(said_in(problem, catalog))}", file=sys.stderr)
    return policies


def policy_named(policies: PolicySet, name: str):
    try:
        return policies.get(name)
    except KeyError as error:
        sentence = str(error.args[0])
        raise CommandError(f"{sentence[0].upper()}{sentence[1:]}.") from None
