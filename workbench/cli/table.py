"""The admin commands' listings (``clips list``, ``tasks list``, ``audit``, ``quality
list``/``run``, ``gold scores``, ``users list``, ``drafts show``'s holdback lines): a listing is rows and a row format, the
function that lays out one row as a line (fixed-width columns by format spec, ``-`` for a
missing value); ``print_rows`` prints them, one line a row, nothing for no rows. The row
formats live beside their commands, where a test pins each byte for byte
(tests/test_cli_tables.py). Pay's reports are data frames and print with
``pay.reports.format_table``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import typer

Row = TypeVar("Row")


def print_rows(rows: Iterable[Row], row_format: Callable[[Row], str]) -> None:
    for row in rows:
        typer.echo(row_format(row))


def or_dash(value: object) -> object:
    """A column's value, or ``-`` where there is none."""
    return "-" if value is None or value == "" else value
