"""What the scan looks for in a text: resident ID numbers (GB 11643, check digit), mainland mobile
numbers, bank card numbers (Luhn) and the words of a list (Aho–Corasick, ``pyahocorasick``).

Pure functions, no I/O: the service runs them in a worker thread. A hit carries the value it
matched (for the fingerprint, never stored) and an excerpt in which every number found is masked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import ahocorasick

from api.models import FindingKind

# GB 11643-1999: the weights of the 17 digits, and the check character for each sum mod 11.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
CONTEXT = 12  # characters of context on each side of a hit in the excerpt

ID_RE = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{16}[\dXx])(?![0-9A-Za-z])")
# 16 to 19 digits, optionally grouped by single spaces or hyphens (6222 0212 3456 7890 128)
CARD_RE = re.compile(r"(?<![0-9A-Za-z])(\d(?:[ -]?\d){15,18})(?![0-9A-Za-z])")
# 1[3-9]x xxxx xxxx, optionally after +86/86 and grouped 3-4-4
MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[ -]?)?(1[3-9]\d(?:[ -]?\d{4}){2})(?![0-9A-Za-z])")
# any other long run of digits (an ID number with a wrong check digit is still somebody's, mistyped)
LONG_DIGITS_RE = re.compile(r"\d{11,}[Xx]?")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# full-width digits and letters (０-９, Ａ-Ｚ, ａ-ｚ) as ASCII, one character for one: positions stay
_FULL_WIDTH = str.maketrans(
    {0xFF10 + i: 0x30 + i for i in range(10)}
    | {0xFF21 + i: 0x41 + i for i in range(26)}
    | {0xFF41 + i: 0x61 + i for i in range(26)}
)


@dataclass(frozen=True)
class Hit:
    kind: FindingKind
    value: str  # the digits or the word: hashed into the fingerprint, never stored or shown
    start: int
    end: int


@dataclass(frozen=True)
class Found:
    """The hits of one value in one text: how often, and the first one's masked excerpt."""

    kind: FindingKind
    value: str
    excerpt: str
    occurrences: int


def id_check_valid(number: str) -> bool:
    """An 18-character resident ID number whose check character and birth date are valid."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], WEIGHTS, strict=True))
    if CHECK[total % 11] != number[17].upper():
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return born.year >= 1900


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


class WordMatcher:
    """An Aho–Corasick automaton over a word list, matching ASCII letters case-blind."""

    def __init__(self, words: Iterable[str]) -> None:
        self._automaton: ahocorasick.Automaton | None = None
        automaton = ahocorasick.Automaton()
        for word in words:
            key = word.translate(_ASCII_LOWER)
            if key:
                automaton.add_word(key, word)
        if len(automaton):
            automaton.make_automaton()
            self._automaton = automaton

    def hits(self, text: str) -> list[Hit]:
        if self._automaton is None:
            return []
        found = []
        for end, word in self._automaton.iter(text.translate(_ASCII_LOWER)):
            found.append(Hit(FindingKind.SENSITIVE_WORD, word, end - len(word) + 1, end + 1))
        return found


def normalize(text: str) -> str:
    """Full-width digits and letters as ASCII, so １１０１… is found as well."""
    return text.translate(_FULL_WIDTH)


def number_hits(text: str) -> list[Hit]:
    """ID numbers first; a card or mobile number overlapping one already found is the same digits."""
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for m in ID_RE.finditer(text):
        if id_check_valid(m.group(1)):
            hits.append(Hit(FindingKind.ID_NUMBER, m.group(1).upper(), m.start(1), m.end(1)))
            taken.append((m.start(1), m.end(1)))
    for m in MOBILE_RE.finditer(text):
        if free(m.start(1), m.end(1)):
            hits.append(Hit(FindingKind.MOBILE, _digits(m.group(1)), m.start(1), m.end(1)))
            taken.append((m.start(1), m.end(1)))
    for m in CARD_RE.finditer(text):
        digits = _digits(m.group(1))
        if free(m.start(1), m.end(1)) and luhn_valid(digits):
            hits.append(Hit(FindingKind.BANK_CARD, digits, m.start(1), m.end(1)))
            taken.append((m.start(1), m.end(1)))
    return hits


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


# How much of each kind of number stays readable: 110***********4514, 138****5678, 6222********0128
KEEP = {FindingKind.ID_NUMBER: (3, 4), FindingKind.MOBILE: (3, 4), FindingKind.BANK_CARD: (4, 4)}


def _masked(text: str, hit: Hit) -> str:
    return _mask_span(text[hit.start : hit.end], *KEEP[hit.kind])


def _mask_span(span: str, keep_start: int, keep_end: int) -> str:
    positions = [i for i, ch in enumerate(span) if ch.isalnum()]
    hidden = set(positions[keep_start : len(positions) - keep_end])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(span))


def scan_text(text: str, matcher: WordMatcher) -> list[Found]:
    """What ``text`` holds, one ``Found`` per kind and value, in order of first appearance."""
    text = normalize(text)
    numbers = number_hits(text)
    words = matcher.hits(text)
    if not numbers and not words:
        return []
    # Every number masked in the text the excerpts are cut from (the masks keep the length).
    shown = list(text)
    for hit in numbers:
        shown[hit.start : hit.end] = _masked(text, hit)
    masked = LONG_DIGITS_RE.sub(lambda m: _mask_span(m.group(0), 3, 4), "".join(shown))
    grouped: dict[tuple[FindingKind, str], list[Hit]] = {}
    for hit in sorted([*numbers, *words], key=lambda h: h.start):
        grouped.setdefault((hit.kind, hit.value), []).append(hit)
    return [Found(kind, value, excerpt(masked, hits[0]), len(hits)) for (kind, value), hits in grouped.items()]


def excerpt(masked: str, hit: Hit) -> str:
    start, end = max(0, hit.start - CONTEXT), min(len(masked), hit.end + CONTEXT)
    piece = " ".join(masked[start:end].split())
    return ("…" if start > 0 else "") + piece + ("…" if end < len(masked) else "")


def clean_words(words: Sequence[str]) -> list[str]:
    """The list as kept: each word stripped, blanks and repeats dropped, in the given order."""
    kept: list[str] = []
    keys: set[str] = set()
    for w in words:
        w = normalize(unicodedata.normalize("NFC", w)).strip()
        key = w.translate(_ASCII_LOWER)
        if w and key not in keys:
            keys.add(key)
            kept.append(w)
    return kept
