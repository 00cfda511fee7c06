"""The scan's detectors and extractors on real files: check digits, Luhn, masks, DOCX, XLSX, bounds."""

from __future__ import annotations

import io

import docx
from openpyxl import Workbook

from api.models import FindingKind
from api.services.screening.detect import WordMatcher, clean_words, id_check_valid, luhn_valid, scan_text
from api.services.screening.extract import MAX_PAGES, extract

from ..text_pdf import text_pdf

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NONE = WordMatcher([])


def kinds(text: str, matcher: WordMatcher = NONE) -> list[tuple[FindingKind, str]]:
    return [(f.kind, f.excerpt) for f in scan_text(text, matcher)]


def test_id_numbers_need_their_check_digit_and_a_real_birth_date() -> None:
    assert id_check_valid("110101199003074514")
    assert id_check_valid("11010519491231002X") and id_check_valid("11010519491231002x")
    assert not id_check_valid("110101199003074515")  # wrong check digit
    assert not id_check_valid("110101199002304518")  # 30 February, whatever its check digit
    assert [k for k, _ in kinds("身份证11010519491231002X。")] == [FindingKind.ID_NUMBER]
    assert kinds("身份证110101199003074515。") == []
    assert kinds("编号1110101199003074514") == []  # 19 digits: not an ID number (and fails Luhn)


def test_full_width_digits_are_found_and_every_long_number_is_masked_in_excerpts() -> None:
    found = kinds("张三１１０１０１１９９００３０７４５１４，另编号110101199003074515")
    assert [k for k, _ in found] == [FindingKind.ID_NUMBER]
    excerpt = found[0][1]
    assert excerpt == "张三110***********4514，另编号110*****…"  # the wrong one masked too


def test_mobiles_and_cards() -> None:
    assert luhn_valid("6222021234567890128") and not luhn_valid("6222021234567890127")
    found = kinds("电话+86 138-1234-5678；座机0834-1234567；卡6222021234567890128；错卡6222021234567890127")
    assert found == [
        (FindingKind.MOBILE, "电话+86 138-****-5678；座机0834-1234…"),
        (FindingKind.BANK_CARD, "…34-1234567；卡6222***********0128；错卡622******…"),
    ]
    assert kinds("电话12812345678") == []  # no mainland mobile starts with 12


def test_words_match_ascii_case_blind_and_count_occurrences() -> None:
    matcher = WordMatcher(clean_words(["内部资料", "Secret", "secret", " ", "内部资料"]))
    found = scan_text("内部资料：SECRET。再次：内部资料", matcher)
    assert [(f.kind, f.value, f.occurrences) for f in found] == [
        (FindingKind.SENSITIVE_WORD, "内部资料", 2),
        (FindingKind.SENSITIVE_WORD, "Secret", 1),
    ]


def test_docx_and_xlsx_text_with_their_places() -> None:
    document = docx.Document()
    document.add_paragraph("低保名单")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "王五", "110101199003074514"
    buffer = io.BytesIO()
    document.save(buffer)
    parts = extract(DOCX, buffer.getvalue()).parts
    assert len(parts) == 1 and parts[0].page is None
    assert [k for k, _ in kinds(parts[0].text)] == [FindingKind.ID_NUMBER]

    workbook = Workbook()
    workbook.active.title = "一组"
    workbook.active.append(["姓名", "电话"])
    workbook.active.append(["赵六", "13812345678"])
    workbook.create_sheet("二组").append(["钱七", "1381234", "5678"])  # two cells are not one number
    buffer = io.BytesIO()
    workbook.save(buffer)
    parts = extract(XLSX, buffer.getvalue()).parts
    assert [(p.page, p.sheet) for p in parts] == [(1, "一组"), (2, "二组")]
    assert [k for k, _ in kinds(parts[0].text)] == [FindingKind.MOBILE] and kinds(parts[1].text) == []


def test_extraction_is_bounded_and_a_broken_file_is_noted() -> None:
    pdf = text_pdf([[f"第{i}页"] for i in range(1, 8)])
    assert [p.page for p in extract("application/pdf", pdf).parts] == [1, 2, 3, 4, 5, 6, 7]
    result = extract("application/pdf", pdf, max_pages=5)
    assert [p.page for p in result.parts] == [1, 2, 3, 4, 5] and result.truncated
    result = extract("application/pdf", pdf, max_chars=6)
    assert len("".join(p.text for p in result.parts)) == 6 and result.truncated
    assert MAX_PAGES == 200
    broken = extract("application/pdf", pdf[:200])
    assert broken.parts == [] and broken.unreadable
