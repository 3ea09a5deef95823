"""The Markdown form of a postmortem (seed 003 §6.2) in its language, read back to an equal
postmortem."""

from __future__ import annotations

import re

from app.domain.i18n import DEFAULT_LANGUAGE, Catalog
from app.domain.postmortem.model import (
    ACTION_CATEGORIES,
    ACTION_STATUSES,
    CERTAINTIES,
    FACTOR_CATEGORIES,
    MARKERS,
    PRIORITIES,
    SLA_ANSWERS,
    STATES,
    ActionItem,
    Factor,
    Postmortem,
    TimelineItem,
    Why,
    valid_date,
)

# -- Markdown -------------------------------------------------------------------------------


class MarkdownError(ValueError):
    """A malformed Markdown postmortem: the line and the problem (a [markdown] catalog key and
    its values; a value named ``what`` is itself a key, markdown.what_*). str() is English."""

    def __init__(self, line: int, problem_key: str, **values: str) -> None:
        self.line = line
        self.problem_key = problem_key
        self.values = values
        self.problem = self._problem(_labels(DEFAULT_LANGUAGE))
        super().__init__(f"line {line}: {self.problem}")

    def _problem(self, catalog: Catalog) -> str:
        values = dict(self.values)
        if "what" in values:
            values["what"] = catalog.t(f"markdown.what_{values['what']}")
        return catalog.t(f"markdown.{self.problem_key}", **values)

    def in_language(self, catalog: Catalog) -> str:
        return catalog.t("markdown.frame", line=self.line, problem=self._problem(catalog))


META = re.compile(r"^<!-- storycart-postmortem incident=(\S*) lang=(\S+) status=(\S+) -->$")


def _escape_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "\\n")


def _split_row(line: str, number: int) -> list[str]:
    if not (line.startswith("| ") and line.endswith(" |")):
        raise MarkdownError(number, "row_shape")
    cells, current, index, body = [], [], 0, line[2:-2]
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            following = body[index + 1]
            current.append({"n": "\n", "|": "|", "\\": "\\"}.get(following, "\\" + following))
            index += 2
            continue
        if body.startswith(" | ", index):
            cells.append("".join(current))
            current, index = [], index + 3
            continue
        current.append(char)
        index += 1
    cells.append("".join(current))
    return cells


def _escape_body(text: str) -> list[str]:
    # A line of the author's that starts with # or \ would read as a heading or an escape.
    return [("\\" + line) if line.startswith(("#", "\\")) else line for line in text.split("\n")]


def _unescape_body(lines: list[str]) -> str:
    return "\n".join(line[1:] if line.startswith("\\") else line for line in lines)


def _labels(lang: str) -> Catalog:
    return Catalog(lang)


def to_markdown(postmortem: Postmortem, facts: list[tuple[str, str]] = ()) -> str:
    """The postmortem as Markdown in its language (seed 003 §6.2). `facts` are informative
    rows from the incident (date, severity, ...) written into the summary table; they are
    not read back."""
    t = _labels(postmortem.lang).t
    p = postmortem
    out = [
        f"# {t('pm.md.title')}: {p.title}",
        "",
        f"<!-- storycart-postmortem incident={p.incident} lang={p.lang} status={p.status} -->",
        "",
    ]

    def heading(level: int, key: str) -> None:
        out.extend(["#" * level + " " + t(key), ""])

    def body(text: str) -> None:
        out.extend([*_escape_body(text), ""])

    def table(header: list[str], rows: list[list[str]]) -> None:
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "|".join("---" for _ in header) + "|")
        out.extend("| " + " | ".join(_escape_cell(c) for c in row) + " |" for row in rows)
        out.append("")

    heading(2, "pm.section.summary")
    if facts:
        table([t("pm.md.item"), t("pm.md.value")], [list(row) for row in facts])
    for key, text in (("what", p.what), ("when", p.when), ("who", p.who)):
        heading(3, f"pm.field.{key}")
        body(text)
    heading(2, "pm.section.impact")
    table(
        [t("pm.md.item"), t("pm.md.value")],
        [
            [t("pm.field.users_affected"), p.users_affected],
            [t("pm.field.duration"), p.duration],
            [t("pm.field.sla_breach"), p.sla_breach],
            [t("pm.field.business_impact"), p.business_impact],
            [t("pm.field.brand_impact"), p.brand_impact],
        ],
    )
    heading(2, "pm.section.timeline")
    table(
        [
            t("pm.field.at"),
            t("pm.field.event"),
            t("pm.field.actor"),
            t("pm.field.certainty"),
            t("pm.field.marker"),
        ],
        [[i.at, i.text, i.actor, i.certainty, i.marker] for i in p.timeline],
    )
    heading(2, "pm.section.root_cause")
    body(p.root_cause)
    heading(3, "pm.md.five_whys")
    table(
        ["#", t("pm.field.why"), t("pm.field.because")],
        [[str(n), w.why, w.because] for n, w in enumerate(p.whys, start=1)],
    )
    heading(2, "pm.section.factors")
    table([t("pm.field.category"), t("pm.field.factor")], [[f.category, f.text] for f in p.factors])
    for key, text in (("went_well", p.went_well), ("was_hard", p.was_hard), ("lucky", p.lucky)):
        heading(2, f"pm.section.{key}")
        body(text)
    heading(2, "pm.section.mitigation")
    for key, text in (("temporary", p.temporary), ("permanent", p.permanent)):
        heading(3, f"pm.field.{key}")
        body(text)
    heading(2, "pm.section.actions")
    table(
        [
            "ID",
            t("pm.field.action"),
            t("pm.field.owner"),
            t("pm.field.due"),
            t("pm.field.priority"),
            t("pm.field.category"),
            t("pm.field.status"),
        ],
        [
            [str(n), a.title, a.owner, a.due, a.priority, a.category, a.status]
            for n, a in enumerate(p.actions, start=1)
        ],
    )
    heading(2, "pm.section.lessons")
    body(p.lessons)
    return "\n".join(out)


def blank_markdown(lang: str) -> str:
    """Every section with nothing filled in, for teams that write on paper first."""
    t = _labels(lang).t
    return to_markdown(Postmortem(incident="", title=t("pm.md.blank_title"), lang=lang))


class _Reader:
    def __init__(self, text: str) -> None:
        self.lines = text.replace("\r\n", "\n").split("\n")
        self.index = 0

    @property
    def number(self) -> int:
        return self.index + 1

    def expect(self, line: str, what: str) -> None:
        if self.index >= len(self.lines) or self.lines[self.index] != line:
            if self.index >= len(self.lines):
                raise MarkdownError(self.number, "expected_end", what=what, text=repr(line))
            found = repr(self.lines[self.index])
            raise MarkdownError(self.number, "expected", what=what, text=repr(line), found=found)
        self.index += 1

    def body(self) -> str:
        """Lines up to the next heading (the author's own lines starting with # are written
        escaped): one blank line after the heading and one before the next are the format's,
        everything between is the author's text."""
        start = self.index
        while self.index < len(self.lines) and not self.lines[self.index].startswith("#"):
            self.index += 1
        lines = self.lines[start : self.index]
        if len(lines) < 2 or lines[0] != "" or lines[-1] != "":
            raise MarkdownError(start + 1, "blank_lines")
        return _unescape_body(lines[1:-1])

    def table(self, header: list[str]) -> list[tuple[int, list[str]]]:
        self.expect("| " + " | ".join(header) + " |", "table_header")
        self.expect("|" + "|".join("---" for _ in header) + "|", "table_rule")
        rows = []
        while self.index < len(self.lines) and self.lines[self.index].startswith("|"):
            cells = _split_row(self.lines[self.index], self.number)
            if len(cells) != len(header):
                raise MarkdownError(
                    self.number, "cells", count=str(len(header)), found=str(len(cells))
                )
            rows.append((self.number, cells))
            self.index += 1
        self.expect("", "blank_after_table")
        return rows


def _check(line: int, what: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        shown = ", ".join(a or "(empty)" for a in allowed)
        raise MarkdownError(line, "not_one_of", what=what, value=repr(value), shown=shown)
    return value


def from_markdown(text: str) -> Postmortem:
    """Read what to_markdown wrote; a malformed file raises MarkdownError(line, problem)."""
    reader = _Reader(text)
    values, t = _read_header(reader)
    read = _SectionReader(reader, t)
    read.summary_and_impact(values)
    read.timeline_and_causes(values)
    read.actions_and_lessons(values)
    _check(3, "status", values["status"], STATES)
    return Postmortem(**values)


def _read_header(reader: _Reader) -> tuple[dict, object]:
    """The title line and the metadata comment: the postmortem's incident, language, status
    and title, and the labels of its language."""
    title_line = reader.lines[0] if reader.lines else ""
    if not title_line.startswith("# "):
        raise MarkdownError(1, "title_line")
    reader.index = 1
    reader.expect("", "blank")
    meta = META.match(reader.lines[reader.index] if reader.index < len(reader.lines) else "")
    if meta is None:
        raise MarkdownError(reader.number, "meta_line")
    incident, lang, status = meta.groups()
    try:
        t = _labels(lang).t
    except ValueError:
        raise MarkdownError(reader.number, "language", value=repr(lang)) from None
    prefix = f"# {t('pm.md.title')}: "
    if not title_line.startswith(prefix):
        raise MarkdownError(1, "title_prefix", prefix=repr(prefix))
    reader.index += 1
    reader.expect("", "blank")
    title = title_line[len(prefix) :]
    return {"incident": incident, "lang": lang, "status": status, "title": title}, t


class _SectionReader:
    """The sections in the order to_markdown writes them, headings in the file's language."""

    def __init__(self, reader: _Reader, t) -> None:
        self.reader = reader
        self.t = t

    def heading(self, level: int, key: str) -> None:
        self.reader.expect("#" * level + " " + self.t(key), "heading")

    def section(self, level: int, key: str) -> None:
        self.heading(level, key)
        self.reader.expect("", "blank_after_heading")

    def bodies(self, values: dict, level: int, prefix: str, keys: tuple[str, ...]) -> None:
        for key in keys:
            self.heading(level, f"{prefix}.{key}")
            values[key] = self.reader.body()

    def table(self, *label_keys: str) -> list[tuple[int, list[str]]]:
        return self.reader.table([self.t(key) if "." in key else key for key in label_keys])

    def summary_and_impact(self, values: dict) -> None:
        reader, t = self.reader, self.t
        self.section(2, "pm.section.summary")
        if reader.index < len(reader.lines) and reader.lines[reader.index].startswith("|"):
            self.table("pm.md.item", "pm.md.value")  # facts from the incident: informative only
        self.bodies(values, 3, "pm.field", ("what", "when", "who"))
        self.section(2, "pm.section.impact")
        impact = self.table("pm.md.item", "pm.md.value")
        keys = ["users_affected", "duration", "sla_breach", "business_impact", "brand_impact"]
        if [row[0] for _line, row in impact] != [t(f"pm.field.{k}") for k in keys]:
            raise MarkdownError(reader.number - 1, "impact_rows")
        values.update({k: row[1] for k, (_line, row) in zip(keys, impact, strict=True)})
        _check(impact[2][0], "sla_breach", values["sla_breach"], SLA_ANSWERS)

    def timeline_and_causes(self, values: dict) -> None:
        self.section(2, "pm.section.timeline")
        rows = self.table(
            "pm.field.at",
            "pm.field.event",
            "pm.field.actor",
            "pm.field.certainty",
            "pm.field.marker",
        )
        for line, row in rows:
            _check(line, "certainty", row[3], CERTAINTIES)
            _check(line, "marker", row[4], MARKERS)
        values["timeline"] = [TimelineItem(*row) for _line, row in rows]
        self.bodies(values, 2, "pm.section", ("root_cause",))
        self.section(3, "pm.md.five_whys")
        rows = self.table("#", "pm.field.why", "pm.field.because")
        values["whys"] = [Why(row[1], row[2]) for _line, row in rows]
        self.section(2, "pm.section.factors")
        rows = self.table("pm.field.category", "pm.field.factor")
        for line, row in rows:
            _check(line, "factor_category", row[0], FACTOR_CATEGORIES)
        values["factors"] = [Factor(*row) for _line, row in rows]
        self.bodies(values, 2, "pm.section", ("went_well", "was_hard", "lucky"))
        self.section(2, "pm.section.mitigation")
        self.bodies(values, 3, "pm.field", ("temporary", "permanent"))

    def actions_and_lessons(self, values: dict) -> None:
        self.section(2, "pm.section.actions")
        rows = self.table(
            "ID",
            "pm.field.action",
            "pm.field.owner",
            "pm.field.due",
            "pm.field.priority",
            "pm.field.category",
            "pm.field.status",
        )
        for line, row in rows:
            if row[3] and not valid_date(row[3]):
                raise MarkdownError(line, "due_date", value=repr(row[3]))
            _check(line, "priority", row[4], PRIORITIES)
            _check(line, "action_category", row[5], ACTION_CATEGORIES)
            _check(line, "action_status", row[6], ACTION_STATUSES)
        values["actions"] = [ActionItem(*row[1:]) for _line, row in rows]
        self.bodies(values, 2, "pm.section", ("lessons",))
