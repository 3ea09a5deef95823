"""`storycart policy …` (list, show, check, export), and the policies any command works with:
loaded once from the settings, looked up by name with one sentence when the name is unknown."""

from __future__ import annotations

import json
import sys

from app.cli.errors import CommandError
from app.config import Settings
from app.domain.i18n import Catalog, said_in
from app.domain.policy.document import policy_document, policy_to_toml
from app.domain.policy.errors import PolicyError
from app.domain.policy.parse import load_policy_file
from app.domain.policy.view import cell_examples, severity_sections, type_sections
from app.domain.textsafe import printable
from app.services.files import OutputError, write_output
from app.services.policy_set import PolicySet, load_policies, policy_sources


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


def add_policy_parsers(commands, common) -> None:
    policy = commands.add_parser(
        "policy",
        parents=[common],
        help="list, show, check, export policies",
        description="Severity policies: list, show, check, export.",
    )
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    listing = policy_commands.add_parser(
        "list",
        parents=[common],
        help="one line per policy",
        description="One line per policy: name, scheme, tier, source file.",
    )
    listing.set_defaults(handler=cmd_policy_list)
    show = policy_commands.add_parser(
        "show", parents=[common], help="the full policy", description="Print the full policy."
    )
    show.add_argument("name")
    show.add_argument("--json", action="store_true", help="machine-readable JSON")
    show.set_defaults(handler=cmd_policy_show)
    check = policy_commands.add_parser(
        "check",
        parents=[common],
        help="validate a policy file",
        description="Exit 0 and print ok for a valid file; "
        "exit 1 with one sentence on stderr otherwise.",
    )
    check.add_argument("file")
    check.set_defaults(handler=cmd_policy_check)
    export = policy_commands.add_parser(
        "export",
        parents=[common],
        help="write a policy as TOML",
        description="Write a policy as TOML that loads back equal.",
    )
    export.add_argument("name")
    export.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="file, or - for stdout"
    )
    export.set_defaults(handler=cmd_policy_export)


def cmd_policy_list(settings: Settings, _args) -> int:
    policies = command_policies(settings)
    rows = [
        (policy.name, policy.scheme, policies.tiers[name], policy.source)
        for name, policy in policies.policies.items()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)] if rows else [0, 0, 0]
    for row in rows:
        say("  ".join(value.ljust(widths[i]) for i, value in enumerate(row[:3])) + "  " + row[3])
    return 0


def say(text: str) -> None:
    """One line of human output; text from policy files is data, never terminal control."""
    print(printable(text))


def cmd_policy_show(settings: Settings, args) -> int:
    policy = policy_named(command_policies(settings), args.name)
    if args.json:
        document = policy_document(policy)
        document["source"] = policy.source
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    catalog = Catalog(settings.lang)
    lang = settings.lang
    say(f"{policy.title.get(lang)}  [{policy.name} · {policy.scheme}]")
    say(f"{policy.source}")
    if policy.description:
        say(policy.description.get(lang))
    for severity in policy.severities:
        say(f"\n== {severity.key} {severity.name.get(lang)} ==")
        for section in severity_sections(severity, catalog):
            _print_section(section)
    for incident_type in policy.types:
        say(f"\n== {incident_type.name.get(lang)} ({incident_type.key}) ==")
        for section in type_sections(incident_type, catalog):
            _print_section(section)
        print(f"{catalog.t('detail.examples')}:")
        for severity in policy.severities:
            examples = cell_examples(policy, incident_type.key, severity.key, lang)
            say(f"  {severity.key}: {' / '.join(examples) or '—'}")
    return 0


def _print_section(section) -> None:
    if len(section.lines) == 1:
        say(f"{section.title}: {section.lines[0]}")
        return
    say(f"{section.title}:")
    for line in section.lines:
        say(f"  {line}")


def cmd_policy_check(settings: Settings, args) -> int:
    try:
        load_policy_file(args.file)
    except PolicyError as error:
        raise CommandError(said_in(error, Catalog(settings.lang))) from None
    print("ok")
    return 0


def cmd_policy_export(settings: Settings, args) -> int:
    policy = policy_named(command_policies(settings), args.name)
    try:
        target = write_output(args.output, policy_to_toml(policy), "policy")
    except OutputError as error:
        raise CommandError(said_in(error, Catalog(settings.lang))) from None
    if target is None:
        return 0
    print(Catalog(settings.lang).t("cli.wrote", path=str(target)))
    return 0
