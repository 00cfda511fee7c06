"""Chinese labels (issue 15): every enum value a front end shows has its label, as the value's
description and through enumLabels; every argument is described."""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLEnumType, GraphQLObjectType

from api.services.labels import LABELS
from schema import schema

from ..conftest import GraphQLClient

HAN = re.compile(r"[\u4e00-\u9fff]")


def shown_enums() -> list[GraphQLEnumType]:
    """The schema's enums but the error codes (their values are described in English for developers)."""
    return [
        t
        for t in schema._schema.type_map.values()
        if isinstance(t, GraphQLEnumType) and not t.name.startswith("__") and not t.name.endswith("ErrorCode")
    ]


def test_every_labelled_enum_covers_all_its_members() -> None:
    for cls, labels in LABELS.items():
        assert set(labels) >= set(cls), (cls, set(cls) - set(labels))
        assert all(HAN.search(labels[m]) for m in cls), cls


async def test_every_value_of_every_shown_enum_has_a_chinese_label(gql: GraphQLClient) -> None:
    listed = (await gql.data("{ enumLabels { enum value label } }"))["enumLabels"]
    by_enum: dict[str, dict[str, str]] = {}
    for row in listed:
        by_enum.setdefault(row["enum"], {})[row["value"]] = row["label"]
    for enum in shown_enums():
        assert set(by_enum.get(enum.name, {})) == set(enum.values), enum.name
        for name, value in enum.values.items():
            assert value.description and HAN.search(value.description), (enum.name, name)
            assert HAN.search(by_enum[enum.name][name]), (enum.name, name)


async def test_labels_of_one_enum(gql: GraphQLClient) -> None:
    query = "query($e: String) { enumLabels(enum: $e) { value label } }"
    status = {r["value"]: r["label"] for r in (await gql.data(query, {"e": "RequestStatus"}))["enumLabels"]}
    assert status["AWAITING_PAYMENT"] == "待缴费" and status["AWAITING_CORRECTION"] == "待补正"
    reasons = {r["value"]: r["label"] for r in (await gql.data(query, {"e": "ReplyReason"}))["enumLabels"]}
    assert reasons["STATE_SECRET"] == "属于国家秘密"
    assert (await gql.data(query, {"e": "NoSuchEnum"}))["enumLabels"] == []


def test_every_argument_is_described() -> None:
    missing: list[Any] = [
        f"{t.name}.{field}({arg})"
        for t in schema._schema.type_map.values()
        if isinstance(t, GraphQLObjectType) and not t.name.startswith("__")
        for field, f in t.fields.items()
        for arg, a in f.args.items()
        if not a.description
    ]
    assert missing == []
