"""The scan before 审发 on a generated 20-page PDF (issue 15: under one second): text extraction
(pypdf) and the scan of every page (ID numbers, mobiles, cards, a 1,000-word list), as the service
runs them in its worker thread. `make bench` runs it after bench/run.py; `python -m bench.screening`.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.services.screening.detect import WordMatcher, scan_text  # noqa: E402
from api.services.screening.extract import extract  # noqa: E402
from tests.text_pdf import text_pdf  # noqa: E402

PAGES = 20
# A full 公文 page of GB/T 9704-2012: 22 lines of 28 characters (616 a page, 12,320 in all).
LINES = 22
CHARS = 28
ROUNDS = 10
HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"
WORDS = [f"{a}{b}演示词" for a in HAN[:40] for b in HAN[40:65]]  # 1,000 words, none in the text


def document() -> bytes:
    rng = random.Random(15)
    pages = []
    for page in range(PAGES):
        lines = ["".join(rng.choice(HAN) for _ in range(CHARS)) for _ in range(LINES)]
        lines[5] = f"申请人王某，身份证号110101199003074514，电话1381234{page:04d}"
        lines[20] = "本页含内部资料字样，须处理后公开"
        pages.append(lines)
    return text_pdf(pages)


def scan(data: bytes, matcher: WordMatcher) -> tuple[int, int]:
    parts = extract("application/pdf", data).parts
    found = sum(len(scan_text(p.text, matcher)) for p in parts)
    return len(parts), found


def main() -> None:
    data = document()
    matcher_words = [*WORDS, "内部资料"]
    times, cpu = [], []
    for _ in range(ROUNDS):
        start, start_cpu = time.perf_counter(), time.process_time()
        pages, found = scan(data, WordMatcher(matcher_words))  # the automaton is built per scan, as the service does
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert pages == PAGES and found == PAGES * 3, (pages, found)
    print(
        f"screening: {PAGES}-page PDF ({len(data) // 1024} KiB, {PAGES * LINES * CHARS:,} characters), "
        f"{len(matcher_words)} words, {ROUNDS} rounds: wall median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms; CPU median {statistics.median(cpu) * 1000:.0f} ms, "
        f"max {max(cpu) * 1000:.0f} ms ({found} findings)"
    )
    if statistics.median(times) >= 1.0:  # wall time: what the approver waits for
        raise SystemExit("the scan of a 20-page PDF took a second or more")


if __name__ == "__main__":
    main()
