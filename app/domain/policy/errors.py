"""PolicyError: one sentence that names the file, the line where the problem can be found, the
key, and what is wrong — in English for logs, in the reader's language on screen."""

from __future__ import annotations

from app.domain.i18n import DEFAULT_LANGUAGE, Catalog


class PolicyError(ValueError):
    """A policy that cannot be used; str() is one sentence naming file, line / key and problem,
    in English; in_language() says it in a catalog's language (the problem is a catalog key
    under [policy_error] and its values)."""

    def __init__(
        self,
        source: str,
        problem_key: str,
        key: str = "",
        line: int | None = None,
        **values: object,
    ) -> None:
        self.source = source
        self.problem_key = problem_key
        self.values = values
        self.key = key
        self.line = line
        english = self.in_language(Catalog(DEFAULT_LANGUAGE))
        self.problem = self._problem(Catalog(DEFAULT_LANGUAGE))
        super().__init__(english)

    def _problem(self, catalog: Catalog) -> str:
        values = dict(self.values)
        if "kind" in values:
            values["kind"] = catalog.t(f"policy_error.kind_{values['kind']}")
        return catalog.t(f"policy_error.{self.problem_key}", **values)

    def in_language(self, catalog: Catalog) -> str:
        t = catalog.t
        parts = [
            t("policy_error.where_line", line=self.line) if self.line else "",
            t("policy_error.where_key", path=self.key) if self.key else "",
        ]
        where = t("policy_error.separator").join(part for part in parts if part)
        problem = self._problem(catalog)
        if where:
            return t("policy_error.frame_where", source=self.source, where=where, problem=problem)
        return t("policy_error.frame", source=self.source, problem=problem)
