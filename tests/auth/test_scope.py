"""api/auth/scope.py: scope paths, their prefixes, and the SQL filter "at or below"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, create_engine, insert, select

from api.auth.scope import ROOT, covers, organization_path, prefixes, unit_path, within

COUNTY = "513425"
TOWN = "513425/513425101"
ORG = "513425/513425101/org:17"


def test_unit_path_keeps_the_significant_levels() -> None:
    assert unit_path("513425000000") == COUNTY
    assert unit_path("513425101000") == TOWN
    assert unit_path("513425101201") == "513425/513425101/513425101201"
    assert organization_path(TOWN, 17) == ORG
    assert organization_path(unit_path("513425000000"), 3) == "513425/org:3"


def test_prefixes_run_from_the_root_to_the_path() -> None:
    assert prefixes(ORG) == [ROOT, COUNTY, TOWN, ORG]
    assert prefixes(COUNTY) == [ROOT, COUNTY]
    assert prefixes(ROOT) == [ROOT]


def test_a_grant_covers_its_path_and_below() -> None:
    assert covers(COUNTY, COUNTY)
    assert covers(COUNTY, TOWN) and covers(COUNTY, ORG) and covers(TOWN, ORG)
    assert not covers(TOWN, COUNTY) and not covers(ORG, TOWN)  # never upwards


def test_the_root_covers_everything_and_nothing_else_covers_the_root() -> None:
    assert covers(ROOT, ROOT) and covers(ROOT, COUNTY) and covers(ROOT, ORG)
    assert not covers(COUNTY, ROOT)


@pytest.mark.parametrize(
    ("grant", "path"),
    [
        ("513425", "5134251"),  # a code that only starts like it
        ("513425", "5134251/org:1"),
        ("513425/513425101", "513425/5134251010"),
        ("513425/513425101", "513425/513425101201"),  # same characters, not a child segment
        ("513425/org:1", "513425/org:17"),  # organization ids with a common prefix
        ("513425", "510000/513425"),
    ],
)
def test_siblings_with_a_common_prefix_are_not_covered(grant: str, path: str) -> None:
    assert not covers(grant, path)


ROWS = {
    1: COUNTY,
    2: TOWN,
    3: ORG,
    4: "513425/org:1",
    5: "513425/org:17",
    6: "5134251",
    7: "5134251/org:2",
    8: "513426/org:5",
}


@pytest.fixture(scope="module")
def table() -> Iterator[tuple[Engine, Table]]:
    engine = create_engine("sqlite://")
    paths = Table("paths", MetaData(), Column("id", Integer, primary_key=True), Column("path", String))
    paths.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(paths), [{"id": i, "path": p} for i, p in ROWS.items()])
    yield engine, paths
    engine.dispose()


def matching(table: tuple[Engine, Table], grant_paths: list[str]) -> set[int]:
    engine, paths = table
    with engine.connect() as conn:
        return set(conn.execute(select(paths.c.id).where(within(paths.c.path, grant_paths))).scalars())


def test_within_is_at_or_below_in_sql(table: tuple[Engine, Table]) -> None:
    assert matching(table, [COUNTY]) == {1, 2, 3, 4, 5}  # not 5134251 nor 513426
    assert matching(table, [TOWN]) == {2, 3}
    assert matching(table, ["513425/org:1"]) == {4}  # not org:17
    assert matching(table, ["5134251"]) == {6, 7}
    assert matching(table, [TOWN, "513426"]) == {2, 3, 8}


def test_within_the_root_is_every_row_and_within_nothing_is_none(table: tuple[Engine, Table]) -> None:
    assert matching(table, [ROOT]) == set(ROWS)
    assert matching(table, [TOWN, ROOT]) == set(ROWS)
    assert matching(table, []) == set()


def test_within_agrees_with_covers(table: tuple[Engine, Table]) -> None:
    for grant in [*ROWS.values(), ROOT, "513425/5134", "51342"]:
        assert matching(table, [grant]) == {i for i, p in ROWS.items() if covers(grant, p)}, grant
