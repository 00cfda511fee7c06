"""api/privacy.py: applicants' personal data, encrypted at rest and masked when shown."""

from __future__ import annotations

from api.privacy import Vault, mask, mask_address, mask_email, mask_phone

ID_NUMBER = "513425199001011234"


def test_an_id_number_keeps_four_characters_at_each_end() -> None:
    assert mask(ID_NUMBER) == "5134" + "*" * 10 + "1234"
    assert mask("51342519900101123X") == "5134**********123X"


def test_a_phone_keeps_three_and_four() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0834-5627731") == "083*****7731"


def test_short_values_keep_only_their_first_character() -> None:
    assert mask("12345678") == "1*******"  # no longer than what would be kept
    assert mask("张三") == "张*"
    assert mask("x") == "x"
    assert mask_phone("1234567") == "1******"


def test_an_address_keeps_at_most_its_first_six_characters() -> None:
    assert mask_address("四川省凉山州会理县古城街道北关路8号") == "四川省凉山州****"
    assert mask_address("会理县演示路1号") == "会理县演****"
    assert mask_address("北京") == "北****"
    assert mask_address("x") == "****"


def test_an_email_keeps_two_characters_of_the_name_and_the_domain() -> None:
    assert mask_email("zhangsan@example.com") == "zh***@example.com"
    assert mask_email("ab@example.com") == "a***@example.com"
    assert mask_email("a.b@c@example.com") == "a.***@example.com"
    assert mask_email("not-an-address") == "n*************"


def test_nothing_to_mask() -> None:
    assert mask(None) is None and mask("") is None
    assert mask_phone(None) is None and mask_phone("") is None
    assert mask_address(None) is None and mask_email("") is None


def test_the_vault_opens_what_it_sealed() -> None:
    vault = Vault("data key")
    token = vault.seal(ID_NUMBER)
    assert token is not None and ID_NUMBER not in token
    assert vault.open(token) == ID_NUMBER
    assert vault.open(vault.seal("四川省会理县鹿厂镇铜矿村")) == "四川省会理县鹿厂镇铜矿村"
    again = vault.seal(ID_NUMBER)
    assert again != token and vault.open(again) == ID_NUMBER  # a fresh IV every time
    assert Vault("data key").open(token) == ID_NUMBER  # the key is derived, not random


def test_the_vault_refuses_other_keys_and_damaged_tokens() -> None:
    token = Vault("data key").seal(ID_NUMBER)
    assert token is not None
    assert Vault("another key").open(token) is None
    assert Vault("data key").open(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")) is None
    assert Vault("data key").open("not a token") is None


def test_the_vault_keeps_nothing_for_nothing() -> None:
    vault = Vault("data key")
    assert vault.seal(None) is None and vault.seal("") is None
    assert vault.open(None) is None and vault.open("") is None
