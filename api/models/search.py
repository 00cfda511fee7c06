"""Search: the jieba tokens of every public document's published version.

The full-text index over ``tokens`` is not mapped here; migration 0003 creates it per dialect:
SQLite the FTS5 table ``document_search_fts`` (external content, kept in sync by triggers on this
table), PostgreSQL the generated column ``tsv`` (``to_tsvector('simple', tokens)``) with a GIN index.
Migration 0011 adds the ranked part, ``head`` (on PostgreSQL with its generated ``head_tsv``), and
the document's publication time and scope, so that a search reads this table alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class DocumentSearch(Base):
    __tablename__ = "document_search"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    # Lower-cased jieba search-mode tokens of title, summary and body, joined by single spaces,
    # then each Chinese character they hold (migration 0019), so that one character is found.
    tokens: Mapped[str] = mapped_column(Text, default="")
    # The same of the title and summary only: what a hit is ranked by.
    head: Mapped[str] = mapped_column(Text, default="")
    # The document's, copied at each indexing (a search orders and filters by them).
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    scope_path: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SearchSynonyms(Base):
    """The district office's synonym groups (低保 = 最低生活保障), applied when a query is read:
    one row, ``groups`` a list of lists of terms."""

    __tablename__ = "search_synonyms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    groups: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
