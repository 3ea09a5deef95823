"""The App's policies: switch the active one (the palette, `p` on the matrix and the metrics),
read the files again (ctrl+r on the matrix), keep a version of each in the database and recover
a broken file from its last good version. The App holds one (`app.policy_keeper`)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from app.domain.i18n import said_in
from app.services.policy_set import PolicySet, load_policies, policy_sources

if TYPE_CHECKING:
    from textual.app import App

    from app.domain.policy.model import Policy
    from app.services.bundle import Services


class PolicyKeeper:
    """Needs the App's `policies`, `active_policy`, `settings`, `catalog`, `services` and its
    `policy_changed` signal."""

    def __init__(self, app: App) -> None:
        self.app = app

    def use(self, name: str) -> None:
        """Make `name` the active policy; the screens that show one follow."""
        app = self.app
        app.active_policy = name
        policy = app.policies.get(name)
        app.policy_changed.publish(None)
        app.notify(
            app.catalog.t("notice.policy_switched", title=policy.title.get(app.catalog.lang)),
            markup=False,
            timeout=3,
        )

    def use_next(self) -> None:
        names = self.app.policies.names()
        following = names[(names.index(self.app.active_policy) + 1) % len(names)]
        self.use(following)  # on the screen it was asked from (the matrix, the metrics)

    def store(self, policies: PolicySet) -> None:
        self.app.run_worker(
            partial(self._store, policies),
            thread=True,
            exit_on_error=False,
            group="storage",
            exclusive=True,
        )

    def _store(self, policies: PolicySet) -> None:
        if self.app.services is not None:
            self.keep(self.app.services, policies)

    def keep(self, services: Services, policies: PolicySet) -> None:
        """In a worker: keep a version of each policy; recover broken files from their last
        good version."""
        for stored in services.policy_versions.keep(policies):
            when = stored.stored_at.astimezone().strftime("%Y-%m-%d %H:%M")
            self.app.call_later(self._recovered, stored.policy, when)

    def reload(self) -> None:
        last_good = {policy.source: policy for policy in self.app.policies.policies.values()}
        self.app.run_worker(
            partial(self._read_policy_files, last_good),
            thread=True,
            exit_on_error=False,
            group="policies",
            exclusive=True,
        )

    def _read_policy_files(self, last_good: dict[str, Policy]) -> None:
        settings = self.app.settings
        sources = policy_sources(settings.policy_dir, settings.policy_files)
        self.app.call_later(self._reloaded, load_policies(sources, last_good=last_good))

    def _recovered(self, policy: Policy, stored_at_text: str) -> None:
        app = self.app
        app.policies.policies[policy.name] = policy
        app.policies.tiers.setdefault(policy.name, "database")
        app.notify(
            app.catalog.t("notice.last_good", name=policy.name, when=stored_at_text),
            severity="warning",
            markup=False,
        )

    def _reloaded(self, policies: PolicySet) -> None:
        app = self.app
        app.policies = policies
        for problem in policies.problems:
            app.notify(said_in(problem, app.catalog), severity="error", timeout=12, markup=False)
        if app.active_policy not in policies.policies:
            app.active_policy = policies.choose(app.settings.policy).name
        app.policy_changed.publish(None)
        app.notify(
            app.catalog.t("notice.policies_reloaded", count=len(policies.policies)),
            markup=False,
            timeout=3,
        )
        self.store(policies)
