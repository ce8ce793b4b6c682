import pytest

from portal_onboarding.core.usernames import (
	MAX_LENGTH,
	base_username,
	check_username,
	normalise_username,
	suggest_username,
)


@pytest.mark.parametrize("name", ["jane.doe", "JaneDoe", "j_d-2", "abc", "a" * MAX_LENGTH, " jane "])
def test_valid_usernames(name):
	assert check_username(name) is None


@pytest.mark.parametrize(
	"name,code",
	[
		("", "username_missing"),
		("   ", "username_missing"),
		("ab", "username_length"),
		("a" * (MAX_LENGTH + 1), "username_length"),
		("jane@example.com", "username_characters"),
		("jane doe", "username_characters"),
		(".jane", "username_characters"),
		("jane-", "username_characters"),
		("ja..ne", "username_characters"),
		("jäne", "username_characters"),
		("Administrator", "username_reserved"),
		("guest", "username_reserved"),
	],
)
def test_invalid_usernames(name, code):
	reason = check_username(name)
	assert reason is not None
	assert reason.code == code
	assert "sername" in reason.text()


def test_invalid_characters_message_names_the_username():
	assert "jane doe" in check_username(" jane doe ").text()


def test_normalise():
	assert normalise_username("  Jane.Doe ") == "jane.doe"


def test_base_username_prefers_names_then_email():
	assert base_username("Jane", "Doe", "x@example.com") == "jane.doe"
	assert base_username("José", "Núñez", None) == "jose.nunez"
	assert base_username("Mary Ann", "O'Neil", None) == "mary.ann.o.neil"
	assert base_username(None, None, "j.smith+kids@example.com") == "j.smith.kids"
	assert base_username("李", None, "lee@example.com") == "lee"
	assert base_username(None, None, "li@example.com") == "patient"
	assert base_username("李", None, None) == "patient"
	assert base_username("Admin", None, None) == "patient"


def test_base_username_is_truncated_to_a_valid_length():
	name = base_username("A" * 40, "B", None)
	assert len(name) <= MAX_LENGTH
	assert check_username(name) is None


def test_suggestion_is_unique_among_taken_names_case_insensitively():
	assert suggest_username("Jane", "Doe", None, []) == "jane.doe"
	assert suggest_username("Jane", "Doe", None, ["Jane.Doe"]) == "jane.doe2"
	assert suggest_username("Jane", "Doe", None, {"jane.doe", "jane.doe2", "jane.doe3"}) == "jane.doe4"


def test_family_sharing_one_email_gets_distinct_usernames():
	taken: list[str] = []
	for _ in range(3):
		taken.append(suggest_username(None, None, "family@example.com", taken))
	assert taken == ["family", "family2", "family3"]
	assert all(check_username(name) is None for name in taken)


def test_suffix_keeps_a_long_name_within_the_limit():
	long_base = "a" * MAX_LENGTH
	suggestion = suggest_username(long_base, None, None, [long_base])
	assert len(suggestion) == MAX_LENGTH
	assert suggestion.endswith("2")
	assert check_username(suggestion) is None
