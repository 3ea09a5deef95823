"""The policy reader: a TOML document to the model, raising PolicyError at the first problem with
the key path and its line (found by app.domain.toml_text.locate)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from app.domain.durations import DurationError, parse_duration
from app.domain.policy.errors import PolicyError
from app.domain.policy.model import (
    BELOW_PREFIX,
    CONDITIONS,
    DEFAULT_ROUNDS,
    LANGUAGES,
    MAX_ROUNDS,
    OPTIONAL_ROLES,
    TARGET_MEASURES,
    EscalationStep,
    IncidentType,
    LocalText,
    MatrixCell,
    Mitigation,
    Policy,
    Severity,
)
from app.domain.toml_text import locate

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")


class PolicyReader:
    """Turns a TOML document into a Policy, raising PolicyError at the first problem."""

    TOP_KEYS = {"policy", "severities", "types", "cells", "ladder"}

    def __init__(self, document: dict[str, Any], text: str, source: str) -> None:
        self.document = document
        self.text = text
        self.source = source

    def fail(self, path: tuple[str | int, ...], problem_key: str, **values: object) -> PolicyError:
        return PolicyError(
            self.source, problem_key, key=_path_text(path), line=locate(self.text, path), **values
        )

    # -- primitives ---------------------------------------------------------------------------

    def table(self, value: Any, path: tuple[str | int, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "not_table", kind=_kind(value))
        return value

    def array(self, value: Any, path: tuple[str | int, ...]) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, "not_array", kind=_kind(value))
        return value

    def string(self, value: Any, path: tuple[str | int, ...], pattern: re.Pattern | None = None):
        if not isinstance(value, str):
            raise self.fail(path, "not_string", kind=_kind(value))
        if not value.strip():
            raise self.fail(path, "empty")
        if pattern and not pattern.fullmatch(value):
            raise self.fail(path, "bad_name", value=value)
        return value

    def require(self, table: dict[str, Any], key: str, path: tuple[str | int, ...]) -> Any:
        if key not in table:
            raise self.fail(path, "missing_key", name=key)
        return table[key]

    def no_unknown(self, table: dict, allowed: Iterable[str], path: tuple[str | int, ...]) -> None:
        unknown = sorted(set(table) - set(allowed))
        if unknown:
            raise self.fail((*path, unknown[0]), "unknown_key", known=", ".join(sorted(allowed)))

    def duration(self, value: Any, path: tuple[str | int, ...]) -> int:
        try:
            return parse_duration(value)
        except DurationError as error:
            raise self.fail(path, f"duration_{error.reason}", **error.values) from None

    def optional_duration(self, table: dict, key: str, path: tuple[str | int, ...]) -> int | None:
        if key not in table:
            return None
        return self.duration(table[key], (*path, key))

    def local(self, value: Any, path: tuple[str | int, ...]) -> LocalText:
        if isinstance(value, str):
            return LocalText.of(self.string(value, path))
        if not isinstance(value, dict):
            raise self.fail(path, "not_local", kind=_kind(value))
        if not value:
            raise self.fail(path, "no_language")
        for lang, text in value.items():
            if lang not in LANGUAGES:
                raise self.fail((*path, lang), "bad_language", known=", ".join(LANGUAGES))
            self.string(text, (*path, lang))
        return LocalText.of(value)

    def optional_local(self, table: dict, key: str, path: tuple[str | int, ...]):
        if key not in table:
            return None
        return self.local(table[key], (*path, key))

    def local_list(self, table: dict, key: str, path: tuple[str | int, ...], required=False):
        if key not in table:
            if required:
                raise self.fail(path, "missing_key", name=key)
            return ()
        items = self.array(table[key], (*path, key))
        if required and not items:
            raise self.fail((*path, key), "no_entries")
        return tuple(self.local(item, (*path, key, index)) for index, item in enumerate(items))

    # -- sections -----------------------------------------------------------------------------

    def policy(self) -> Policy:
        document = self.document
        self.no_unknown(document, self.TOP_KEYS, ())
        header = self.table(self.require(document, "policy", ()), ("policy",))
        self.no_unknown(header, {"name", "scheme", "title", "description", "roles"}, ("policy",))
        name = self.string(self.require(header, "name", ("policy",)), ("policy", "name"), _NAME)
        scheme = self.string(self.require(header, "scheme", ("policy",)), ("policy", "scheme"))
        title = self.local(self.require(header, "title", ("policy",)), ("policy", "title"))
        description = self.optional_local(header, "description", ("policy",))

        severity_tables = self.array(self.require(document, "severities", ()), ("severities",))
        if not severity_tables:
            raise self.fail(("severities",), "no_severity")
        type_tables = self.array(self.require(document, "types", ()), ("types",))
        if not type_tables:
            raise self.fail(("types",), "no_type")

        severity_keys = self.keys(severity_tables, "severities", "severity")
        type_keys = self.keys(type_tables, "types", "type")
        ladders = self.ladders(document.get("ladder", []), severity_keys)
        severities = tuple(
            self.severity(table, index, ladders.get(severity_keys[index], ()))
            for index, table in enumerate(severity_tables)
        )
        types = tuple(self.incident_type(table, index) for index, table in enumerate(type_tables))
        cells = self.cells(document.get("cells", []), severity_keys, type_keys)
        return Policy(
            name=name,
            scheme=scheme,
            title=title,
            description=description,
            severities=severities,
            types=types,
            cells=cells,
            source=self.source,
            roles=self.roles(header),
        )

    def roles(self, header: dict) -> tuple[str, ...]:
        """`roles = ["legal"]`: roles this policy adds to the standard five."""
        path = ("policy", "roles")
        values = self.array(header.get("roles", []), path)
        for index, value in enumerate(values):
            if value not in OPTIONAL_ROLES:
                known = ", ".join(OPTIONAL_ROLES)
                raise self.fail((*path, index), "unknown_role", value=value, known=known)
        return tuple(dict.fromkeys(values))

    def keys(self, tables: list[Any], section: str, what: str) -> list[str]:
        keys: list[str] = []
        for index, item in enumerate(tables):
            table = self.table(item, (section, index))
            key = self.string(self.require(table, "key", (section, index)), (section, index, "key"))
            if not _KEY.fullmatch(key):
                raise self.fail((section, index, "key"), f"bad_{what}_key", value=key)
            if key in keys:
                raise self.fail((section, index, "key"), f"twice_{what}", value=key)
            keys.append(key)
        return keys

    def severity(self, table, index, ladder) -> Severity:
        path = ("severities", index)
        if not ladder:
            raise self.fail(path, "no_ladder", severity=table["key"])
        self.no_unknown(
            table,
            {
                "key",
                "name",
                "impact",
                "definition",
                "response",
                "resolution",
                "update_every",
                "postmortem_due",
                "postmortem_note",
                "ack_timeout",
                "rounds",
                "repeat_after",
                "targets",
                "declared",
            },
            path,
        )
        declared = table.get("declared", True)
        if not isinstance(declared, bool):
            raise self.fail((*path, "declared"), "not_boolean", kind=_kind(declared))
        return Severity(
            key=table["key"],
            name=self.local(self.require(table, "name", path), (*path, "name")),
            impact=self.optional_local(table, "impact", path),
            definition=self.local_list(table, "definition", path),
            response_s=self.duration(self.require(table, "response", path), (*path, "response")),
            resolution_s=self.optional_duration(table, "resolution", path),
            update_every_s=self.positive(table, "update_every", path),
            postmortem_due_s=self.optional_duration(table, "postmortem_due", path),
            postmortem_note=self.optional_local(table, "postmortem_note", path),
            ladder=ladder,
            ack_timeout_s=self.positive(table, "ack_timeout", path)
            if "ack_timeout" in table
            else None,
            rounds=self.rounds(table, path),
            repeat_after_s=self.optional_duration(table, "repeat_after", path),
            targets=self.targets(table, path),
            declared=declared,
        )

    def targets(self, table, path) -> tuple[tuple[str, int], ...]:
        """`targets = { detect = "5m", acknowledge = "5m", resolve = "1h" }`"""
        if "targets" not in table:
            return ()
        value = table["targets"]
        where = (*path, "targets")
        if not isinstance(value, dict):
            raise self.fail(where, "not_table", kind=_kind(value))
        self.no_unknown(value, TARGET_MEASURES, where)
        return tuple(
            (measure, self.positive(value, measure, where))
            for measure in TARGET_MEASURES
            if measure in value
        )

    def rounds(self, table, path) -> int:
        value = table.get("rounds", DEFAULT_ROUNDS)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail((*path, "rounds"), "not_integer", kind=_kind(value))
        if not 1 <= value <= MAX_ROUNDS:
            raise self.fail((*path, "rounds"), "rounds_range", max=MAX_ROUNDS, value=value)
        return value

    def positive(self, table, key, path) -> int:
        seconds = self.duration(self.require(table, key, path), (*path, key))
        if seconds == 0:
            raise self.fail((*path, key), "not_positive")
        return seconds

    def incident_type(self, table, index) -> IncidentType:
        path = ("types", index)
        self.no_unknown(
            table, {"key", "name", "description", "regulatory_report", "mitigations"}, path
        )
        mitigations = []
        for number, item in enumerate(
            self.array(table.get("mitigations", []), (*path, "mitigations"))
        ):
            item_path = (*path, "mitigations", number)
            item = self.table(item, item_path)
            self.no_unknown(item, {"situation", "temporary", "permanent"}, item_path)
            mitigations.append(
                Mitigation(
                    *(
                        self.local(self.require(item, key, item_path), (*item_path, key))
                        for key in ("situation", "temporary", "permanent")
                    )
                )
            )
        return IncidentType(
            key=table["key"],
            name=self.local(self.require(table, "name", path), (*path, "name")),
            description=self.optional_local(table, "description", path),
            regulatory_report_s=self.optional_duration(table, "regulatory_report", path),
            mitigations=tuple(mitigations),
        )

    def severity_refs(self, value, path, severity_keys) -> list[str]:
        refs = value if isinstance(value, list) else [value]
        if not refs:
            raise self.fail(path, "no_severity_named")
        for ref in refs:
            self.string(ref, path)
            if ref not in severity_keys:
                raise self.fail(path, "unknown_severity", value=ref, known=", ".join(severity_keys))
        return refs

    def ladders(self, value, severity_keys) -> dict[str, tuple[EscalationStep, ...]]:
        steps: dict[str, list[EscalationStep]] = {key: [] for key in severity_keys}
        for index, item in enumerate(self.array(value, ("ladder",))):
            path = ("ladder", index)
            table = self.table(item, path)
            self.no_unknown(table, {"severity", "after", "notify", "unless", "note"}, path)
            refs = self.severity_refs(
                self.require(table, "severity", path), (*path, "severity"), severity_keys
            )
            unless = self.array(table.get("unless", []), (*path, "unless"))
            for condition in unless:
                self.condition(condition, (*path, "unless"), severity_keys)
            step = EscalationStep(
                after_s=self.duration(self.require(table, "after", path), (*path, "after")),
                notify=self.local_list(table, "notify", path, required=True),
                unless=tuple(unless),
                note=self.optional_local(table, "note", path),
            )
            for ref in refs:
                steps[ref].append(step)
        return {key: tuple(sorted(found, key=lambda s: s.after_s)) for key, found in steps.items()}

    def condition(self, condition, path, severity_keys) -> None:
        self.string(condition, path)
        if condition in CONDITIONS:
            return
        if condition.startswith(BELOW_PREFIX):
            target = condition[len(BELOW_PREFIX) :]
            if target in severity_keys:
                return
            raise self.fail(
                path,
                "condition_severity",
                condition=condition,
                value=target,
                known=", ".join(severity_keys),
            )
        raise self.fail(path, "bad_condition", condition=condition)

    def cells(self, value, severity_keys, type_keys) -> tuple[MatrixCell, ...]:
        cells: list[MatrixCell] = []
        seen: set[tuple[str, str]] = set()
        for index, item in enumerate(self.array(value, ("cells",))):
            path = ("cells", index)
            table = self.table(item, path)
            self.no_unknown(table, {"type", "severity", "examples"}, path)
            type_key = self.string(self.require(table, "type", path), (*path, "type"))
            if type_key not in type_keys:
                raise self.fail(
                    (*path, "type"), "unknown_type", value=type_key, known=", ".join(type_keys)
                )
            (severity_key,) = self.severity_refs(
                self.string(self.require(table, "severity", path), (*path, "severity")),
                (*path, "severity"),
                severity_keys,
            )
            if (type_key, severity_key) in seen:
                raise self.fail(path, "twice_cell", type=type_key, severity=severity_key)
            seen.add((type_key, severity_key))
            cells.append(
                MatrixCell(type_key, severity_key, self.local_list(table, "examples", path, True))
            )
        return tuple(cells)


def _kind(value: Any) -> str:
    """The kind of a TOML value, as a key of the [policy_error] kind_* messages."""
    names = {
        str: "string",
        int: "integer",
        float: "number",
        bool: "boolean",
        list: "array",
        dict: "table",
    }
    return names.get(type(value), "other")


def _path_text(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
