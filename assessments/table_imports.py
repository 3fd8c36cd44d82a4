"""What every table import shares (published results, external values, stage results): problems by
row and column, reading the body rows of a table under its header (refusing a row longer than the
header, and naming the unquoted decimal comma that usually causes it), and finding an agency by its
code or its exact official name. The bounded reading of the file itself is ``table_files``."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_PROBLEMS_SHOWN = 50


@dataclass
class ImportProblem:
    row: int  # 1-based, counting the header as row 1 (as a spreadsheet shows it)
    column: str
    message: str

    def __str__(self):
        return _("row %(row)s, column %(column)s: %(message)s") % {"row": self.row, "column": self.column, "message": self.message}


class TableImportError(ValueError):
    """The problems of an import, by row and column; nothing was written."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self, limit=MAX_PROBLEMS_SHOWN):
        """The problems to show a person: the first ``limit``, then how many more there are."""
        shown = [str(problem) for problem in self.problems[:limit]]
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            shown.append(_("… and %(count)s more problems.") % {"count": f"{hidden:,}".replace(",", ".")})
        return shown


def normalise_title(title):
    return "_".join(str(title).strip().lower().split())


def name_key(name):
    """An agency name compared without case, extra spaces or the leading "Pemerintah" that the
    ministry's tables sometimes leave out ("Kabupaten Rejang Lebong")."""
    words = str(name).casefold().split()
    if words and words[0] == "pemerintah":
        words = words[1:]
    return " ".join(words)


def filled_length(cells):
    """The number of cells up to the last one that holds something."""
    length = len(cells)
    while length and not str(cells[length - 1]).strip():
        length -= 1
    return length


def is_whole_number(text):
    return str(text).strip().isdigit()


def problems_in_row(problems, number):
    return any(problem.row == number for problem in problems)


class Row:
    """One body row, padded to the header's width: ``row("index")`` is the stripped text of the
    column the header named ``index`` ("" when the table has no such column)."""

    def __init__(self, number, cells, columns):
        self.number, self.cells, self.columns = number, cells, columns

    def __call__(self, key):
        return str(self.cells[self.columns[key]]).strip() if key in self.columns else ""


def body_rows(rows, header_position, columns, problems, *, decimal_key, decimal_column, decimal_message):
    """The rows below the header as Row objects. A row with more filled cells than the header is
    refused (a problem, not yielded): when the cell of ``decimal_key`` and the next one are whole
    numbers, the cause is almost always an unquoted decimal comma ("17.05,2024,2,61"), and the
    problem says so under ``decimal_column``."""
    header_length = filled_length(rows[header_position][1])
    for number, cells in rows[header_position + 1:]:
        if filled_length(cells) > header_length:
            column = columns.get(decimal_key)
            if column is not None and column + 1 < len(cells) and is_whole_number(cells[column]) and is_whole_number(cells[column + 1]):
                problems.append(ImportProblem(number, decimal_column, decimal_message))
            else:
                problems.append(ImportProblem(number, "-", _("the row has %(cells)s cells but the header has %(columns)s") % {
                    "cells": filled_length(cells), "columns": header_length}))
            continue
        yield Row(number, cells + [""] * (header_length - len(cells)), columns)


class AgencyMatcher:
    """Agencies as a table names them: by code, or by exact official name (``name_key``). One query."""

    def __init__(self, agencies):
        self.by_code, self.by_name = {}, {}
        for agency in agencies:
            self.by_code[agency.code] = agency
            self.by_name.setdefault(name_key(agency.name), []).append(agency)

    def match(self, row, problems, *, code_column, name_column, name_may_be_code=False):
        """The agency of ``row`` (columns ``agency_code`` / ``agency_name``), or None with a problem."""
        if row("agency_code") or "agency_name" not in row.columns:
            agency = self.by_code.get(row("agency_code"))
            if agency is None:
                problems.append(ImportProblem(row.number, code_column, _("unknown agency code %(code)r") % {"code": row("agency_code")}))
            return agency
        name = row("agency_name")
        matches = self.by_name.get(name_key(name), [])
        if not matches and name_may_be_code and name in self.by_code:
            matches = [self.by_code[name]]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            problems.append(ImportProblem(row.number, name_column, _("unknown agency name %(name)r") % {"name": name}))
        else:
            problems.append(ImportProblem(row.number, name_column, _("the name %(name)r fits several agencies (%(codes)s): use the agency code") % {
                "name": name, "codes": ", ".join(sorted(a.code for a in matches))}))
        return None
