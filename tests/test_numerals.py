import pytest

from kb.numerals import article_label, cn_to_int, int_to_cn

CASES = [
    ("一", 1),
    ("十", 10),
    ("十一", 11),
    ("二十", 20),
    ("一百", 100),
    ("一百零五", 105),
    ("一百一十", 110),
    ("一百三十二", 132),
    ("一百五十八", 158),
    ("二百", 200),
    ("一千零一", 1001),
    ("42", 42),
]


@pytest.mark.parametrize(("text", "n"), CASES)
def test_cn_to_int(text, n):
    assert cn_to_int(text) == n


@pytest.mark.parametrize(("text", "n"), [c for c in CASES if not c[0].isdigit()])
def test_int_to_cn_inverts(text, n):
    assert int_to_cn(n) == text


@pytest.mark.parametrize("garbled", ["", "条", "一二", "百百", "十百", "abc"])
def test_garbled_numerals_are_none(garbled):
    assert cn_to_int(garbled) is None


def test_article_label():
    assert article_label(132) == "第一百三十二条"


def test_roundtrip_all_article_numbers():
    for n in range(1, 1000):
        assert cn_to_int(int_to_cn(n)) == n
