"""An in-process cache of answers, bounded in entries and bytes, each valid at one version.

An entry carries the version (the ``content`` change counter and the China date: some answers
count days from today) read BEFORE its answer was computed: it can never claim to be newer than
its data. It is served only while the current version is that one; a moved version drops it.
Used on the event loop only (no lock).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Answer:
    body: bytes
    media_type: str
    etag: str
    version: Hashable


def etag_of(body: bytes, media_type: str) -> str:
    """A strong entity tag: it changes when the answer (or its media type) changes."""
    digest = hashlib.blake2b(body, digest_size=16, person=b"gongkai-etag")
    digest.update(media_type.encode())
    return f'"{digest.hexdigest()}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 13.1.2: ``*`` or any listed tag equal to ``etag`` under the weak comparison."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in if_none_match.split(","))


class ResponseCache:
    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.entries: OrderedDict[Hashable, Answer] = OrderedDict()
        self.size = 0
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    def get(self, key: Hashable, version: Hashable) -> Answer | None:
        found = self.entries.get(key)
        if found is None or found.version != version:
            if found is not None:
                self._drop(key)
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: Hashable, version: Hashable, body: bytes, media_type: str) -> Answer:
        answer = Answer(body=body, media_type=media_type, etag=etag_of(body, media_type), version=version)
        if not self.enabled or len(body) > self.max_bytes:
            return answer
        if key in self.entries:
            self._drop(key)
        self.entries[key] = answer
        self.size += len(body)
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            self._drop(next(iter(self.entries)))
        return answer

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0

    def _drop(self, key: Hashable) -> None:
        answer = self.entries.pop(key)
        self.size -= len(answer.body)
