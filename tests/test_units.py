from decimal import Decimal

import pytest

from hukou_stats.core.numbers import normalise_unit, parse_number, round_half_up, to_canonical


def test_published_precision_is_kept():
    assert parse_number("1530.59") == (Decimal("1530.59"), 2)
    assert parse_number("100.00") == (Decimal("100.00"), 2)
    assert parse_number("64") == (Decimal("64"), 0)
    assert parse_number("1,234,567") == (Decimal("1234567"), 0)


def test_ten_thousands_become_exact_persons_with_half_unit_precision():
    value, unit, precision = to_canonical(Decimal("1530.59"), 2, "10k_persons")
    assert (value, unit, precision) == (15305900.0, "persons", 50.0)
    value, _, precision = to_canonical(Decimal("265.8397"), 4, "10k_persons")
    assert value == 2658397.0 and precision == 0.5
    assert to_canonical(Decimal("86.46"), 2, "pct") == (86.46, "pct", 0.005)


@pytest.mark.parametrize("marker", ["", "—", "…", "-", "x", " "])
def test_missing_markers_are_not_numbers_and_not_zero(marker):
    assert parse_number(marker) is None


@pytest.mark.parametrize("text", ["abc", "12a", "nan", "inf", "1.2.3"])
def test_text_where_a_number_belongs_is_refused(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_half_up_rounding_is_decimal_not_binary():
    # binary round() gives 2.67 for 2.675 (stored as 2.67499999...); 四舍五入 gives 2.68
    assert round(2.675, 2) == 2.67 and round(1.005, 2) == 1.0
    assert round_half_up(2.675, 2) == Decimal("2.68")
    assert round_half_up(1.005, 2) == Decimal("1.01")
    assert round_half_up(79.905, 2) == Decimal("79.91")
    assert round_half_up(0.125, 2) == Decimal("0.13")
    assert round_half_up(-0.125, 2) == Decimal("-0.13")
    assert round_half_up(None, 2) is None
    assert str(round_half_up(64, 0)) == "64"


def test_unit_aliases():
    assert normalise_unit("万人") == "10k_persons"
    assert normalise_unit("%") == "pct"
    assert normalise_unit("人") == "persons"
    assert normalise_unit("thousands") is None


def test_published_text_as_readers_see_it():
    assert parse_number("１，５３０．５９") == (Decimal("1530.59"), 2)  # full-width digits and punctuation
    assert parse_number(" 86.46\u3000") == (Decimal("86.46"), 2)
    assert parse_number("－3") == (Decimal("-3"), 0)
    for marker in ("——", "……", "－", "ｘ", "N/A"):
        assert parse_number(marker) is None
    for text in ("1e5", "1,5", "12,34", "86.46*", "inf", "NaN", "9" * 13, "86.46¹"):
        with pytest.raises(ValueError):
            parse_number(text)


def test_units_in_brackets():
    assert normalise_unit("（万人）") == "10k_persons" and normalise_unit("(%)") == "pct"


def test_format_half_up_rounds_half_up_not_to_even_or_by_binary_float():
    from hukou_stats.core.numbers import format_half_up

    assert format_half_up(2.675, 2) == "2.68"  # '%.2f' gives 2.67 (binary float)
    assert format_half_up(0.125, 2) == "0.13"  # round() gives 0.12 (half to even)
    assert format_half_up(-2.755, 2, sign=True) == "-2.76"
    assert format_half_up(0.4, 2, sign=True) == "+0.40"
