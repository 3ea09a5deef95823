"""Which policies exist: the built-ins, the config dir's policies/ folder, and --policy-file.

Later tiers override earlier ones by name (a user may replace a built-in); two files in the same
tier that claim one name are a problem for the later file. A file that fails to load is reported
and, where an earlier good version of the same file is known, that version stays in use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from app.domain.policy.errors import PolicyError
from app.domain.policy.model import Policy
from app.domain.policy.parse import load_policy_file

BUILTIN = "built-in"
CONFIG_DIR = "config dir"
COMMAND_LINE = "--policy-file"


@dataclass(frozen=True)
class PolicySource:
    path: Path
    tier: str


@dataclass
class PolicySet:
    """The usable policies in display order, plus one sentence per file that was refused."""

    policies: dict[str, Policy] = field(default_factory=dict)
    tiers: dict[str, str] = field(default_factory=dict)
    problems: list[PolicyError] = field(default_factory=list)

    def names(self) -> list[str]:
        return list(self.policies)

    def get(self, name: str) -> Policy:
        try:
            return self.policies[name]
        except KeyError:
            known = ", ".join(self.policies) or "none"
            raise KeyError(f"there is no policy named {name!r} (known: {known})") from None

    def choose(self, preferred: str | None) -> Policy:
        """The preferred policy if it exists, else the first one."""
        if preferred and preferred in self.policies:
            return self.policies[preferred]
        return next(iter(self.policies.values()))


def tier_key(tier: str) -> str:
    """The catalog key naming a tier in the reader's language."""
    return (
        "tier." + {BUILTIN: "builtin", CONFIG_DIR: "config_dir", COMMAND_LINE: "command_line"}[tier]
    )


def describe_source(source: str, tier: str) -> str:
    """Built-ins by file name (their install path says nothing to a user); others in full."""
    return Path(source).name if tier == BUILTIN else source


def builtin_policy_paths() -> list[Path]:
    folder = resources.files("assets") / "policies"
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".toml"))


def policy_sources(user_dir: Path | None, extra_files: Iterable[Path] = ()) -> list[PolicySource]:
    sources = [PolicySource(path, BUILTIN) for path in builtin_policy_paths()]
    if user_dir is not None and user_dir.is_dir():
        sources += [PolicySource(path, CONFIG_DIR) for path in sorted(user_dir.glob("*.toml"))]
    sources += [PolicySource(Path(path), COMMAND_LINE) for path in extra_files]
    return sources


def load_policies(
    sources: Iterable[PolicySource],
    last_good: Mapping[str, Policy] | None = None,
) -> PolicySet:
    """Load every source; last_good maps a file path to the policy it held when it last loaded."""
    result = PolicySet()
    claimed: dict[tuple[str, str], Path] = {}
    for source in sources:
        try:
            policy = load_policy_file(source.path)
        except PolicyError as error:
            result.problems.append(error)
            fallback = (last_good or {}).get(str(source.path))
            if fallback is None:
                continue
            policy = fallback
        owner = claimed.get((source.tier, policy.name))
        if owner is not None and owner != source.path:
            result.problems.append(
                PolicyError(
                    str(source.path),
                    "claimed",
                    key="policy.name",
                    name=policy.name,
                    owner=str(owner),
                )
            )
            continue
        claimed[(source.tier, policy.name)] = source.path
        result.policies[policy.name] = policy
        result.tiers[policy.name] = source.tier
    return result
