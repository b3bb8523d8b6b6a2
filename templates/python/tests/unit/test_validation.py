import pytest

from app.validation import ValidationError, parse_item, parse_paging


def test_item_takes_name_and_optional_description():
    assert parse_item({"name": "a"}) == ("a", None)
    assert parse_item({"name": "a", "description": None}) == ("a", None)
    assert parse_item({"name": "a", "description": "b", "extra": 1}) == ("a", "b")
    assert parse_item({"name": "x" * 200}) == ("x" * 200, None)


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "name",
        42,
        {},
        {"name": None},
        {"name": 5},
        {"name": ""},
        {"name": "x" * 201},
        {"name": "a", "description": 5},
        {"name": "a", "description": ["b"]},
    ],
)
def test_item_rejects(body):
    with pytest.raises(ValidationError):
        parse_item(body)


def test_paging_defaults_and_bounds():
    assert parse_paging({}) == (20, 0)
    assert parse_paging({"limit": "1", "offset": "0"}) == (1, 0)
    assert parse_paging({"limit": "100", "offset": "5000"}) == (100, 5000)


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "-1"},
        {"limit": "abc"},
        {"limit": "1.5"},
        {"limit": ""},
        {"limit": " 5"},
        {"limit": "+5"},
        {"offset": "-1"},
        {"offset": "abc"},
        {"offset": "1.5"},
        {"offset": ""},
        {"offset": str(2**63)},
    ],
)
def test_paging_rejects(query):
    with pytest.raises(ValidationError):
        parse_paging(query)
