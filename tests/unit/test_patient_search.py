import pytest

from portal_onboarding.core.patient_search import (
	MOBILE_MARK,
	WORD_LENGTH,
	SearchTerm,
	fold,
	patient_words,
	prefix_pattern,
	search_terms,
)

ANA = ("PO-DEMO-0000123", "Ana García López", "Ana.Garcia.123@Example.org", "+1 415 555 0142")


def finds(search: str, patient: tuple = ANA) -> bool:
	"""What the database does with the words and the terms: every term has a word it looks up."""
	words = patient_words(*patient)
	terms = search_terms(search)
	return bool(terms) and all(
		any(w.startswith(p) for w in words for p in term.prefixes) or bool(words & set(term.words))
		for term in terms
	)


def test_fold_drops_case_and_accents():
	assert fold("MARÍA Müller Zoë Straße") == "maria muller zoe strasse"


def test_a_patient_is_found_by_the_words_of_name_email_id_and_mobile():
	assert patient_words(*ANA) == {
		"ana",
		"garcia",
		"lopez",
		"anagarcialopez",
		"garcialopez",
		"ana.garcia.123@example.org",
		"garcia.123@example.org",
		"123@example.org",
		"example.org",
		"org",
		"po-demo-0000123",
		f"{MOBILE_MARK}24105555141",
	}


def test_a_patient_with_little_on_file_has_few_words():
	assert patient_words("HLC-PAT-2024-00001", "Seán O'Brien", None, "") == {
		"sean",
		"o",
		"brien",
		"seanobrien",
		"obrien",
		"hlc-pat-2024-00001",
	}
	assert patient_words("P-1", None, None, None) == {"p-1"}


def test_long_words_are_cut_to_the_index_width():
	email = f"{'a' * 200}@example.org"
	words = patient_words("P-1", None, email, None)
	assert max(len(w) for w in words) == WORD_LENGTH
	assert finds(email[:WORD_LENGTH], ("P-1", None, email, None))


@pytest.mark.parametrize(
	"search",
	[
		"garcia",  # a surname
		"GARCÍA",  # case and accents ignored
		"  ana   gar  ",  # spaces around and between words ignored; partial words
		"ana gar",
		"lopez",  # the second surname
		"López Ana",  # in any order
		"garcialopez",  # a compound surname run together
		"anagarcia",
		"garcia-lopez",
		"ana",  # a first name
		"garcia.12",  # part of an email
		"Ana.Garcia.123@example.org",  # the whole email
		"@example.org",  # its domain
		"garcia@",
		"415-555-0142",  # the mobile, typed with dashes
		"(415) 555 0142",
		"+1 415 555 0142",
		"4155550142",
		"555-0142",  # its last digits
		"0142",
		"garcia 0142",
		"po-demo-0000123",  # the patient ID from its start
		"PO-DEMO-00001",
	],
)
def test_what_finds_ana(search):
	assert finds(search)


@pytest.mark.parametrize(
	"search",
	[
		"arcia",  # the middle of a word
		"ana garcia perez",  # every word typed must match
		"maria",
		"415 555",  # a mobile by its first digits
		"555-0143",
		"garcia%",  # wildcards are taken literally
		"g_rcia",
		"%",
		"demo-0000123",  # the ID from its middle
		"gmail.com",
	],
)
def test_what_does_not_find_ana(search):
	assert not finds(search)


def test_a_number_typed_with_its_country_code_finds_it_stored_without():
	stored_without = ("P-2", "Ben Ode", None, "(415) 555-0142")
	assert finds("+1 415 555 0142", stored_without)
	assert finds("001 415 555 0142", stored_without)
	# ... but a short stored number is not found inside a longer one typed.
	assert not finds("+1 415 555 0142", ("P-3", "Cy Ode", None, "0142"))


def test_apostrophes_and_hyphens_inside_names_do_not_matter():
	obrien = ("P-4", "Seán O'Brien", None, None)
	for search in ("obrien", "o'brien", "O\u2019Brien", "brien", "sean"):
		assert finds(search, obrien), search
	anne = ("P-5", "Anne-Marie de la Cruz", None, None)
	for search in ("anne-m", "annemarie", "marie", "cruz", "de la cruz", "delacruz", "anne cruz"):
		assert finds(search, anne), search


def test_search_terms():
	assert search_terms("  ANA   gar ") == (SearchTerm(("ana",)), SearchTerm(("gar",)))
	assert search_terms("o'brien") == (SearchTerm(("o'brien", "obrien")),)
	assert search_terms("415-555-0142") == (
		SearchTerm(
			(f"{MOBILE_MARK}2410555514", "4155550142"),
			(f"{MOBILE_MARK}2410555", f"{MOBILE_MARK}24105555", f"{MOBILE_MARK}241055551"),
		),
	)
	# Punctuation alone looks nothing up.
	assert search_terms("  - @ ") == ()
	assert search_terms(None) == ()


def test_prefix_pattern_takes_wildcards_literally():
	assert prefix_pattern("50%_a\\b") == "50\\%\\_a\\\\b%"
