"""The onboarding report's search: the words a patient is found by, and what a typed search looks up.

Both sides fold text alike (lower case, accents dropped: "MARÍA" and "maria" are one word), so the
database only compares folded words byte for byte, a prefix being a range on an index. A patient is
found when every word typed begins one of the patient's words:

- the words of their name, and the name run together from any of its words: Ana García López is found
  by "ana", "gar", "lopez", "garcialopez" and "anagarcia", so by "ana gar" and "LÓPEZ ana" too; the
  punctuation inside a name counts for nothing ("obrien" finds O'Brien, "anne-m" finds Anne-Marie);
- their email from the start of any of its words ("garcia.12", "example.org", the whole address);
- their patient ID from its start;
- their mobile by its last digits, whatever spaces, dashes or brackets either side was written with:
  "555 0142", "(415) 555-0142" and "+1 415 555 0142" all find "+1 415 555 0142", and a number typed
  with its country code finds the same number stored without one.

A word in the middle of another ("arcia" in "garcia") finds nothing: that is what lets an index answer
at 100,000 patients. `%` and `_` are ordinary characters, as they were when the search was a LIKE.
"""

import re
import unicodedata
from dataclasses import dataclass

# The width of the index's word column; a longer word (an email, say) is kept up to it.
WORD_LENGTH = 140
# Begins a mobile's word (its digits, reversed): no other word does, as `~` is no word character.
MOBILE_MARK = "~"
# A number typed with its country code finds the same number stored without it, down to this many digits.
MIN_MOBILE_DIGITS = 7

WORD = re.compile(r"[\w%]+")
EDGES = re.compile(r"^[^\w%]+|[^\w%]+$")
PHONE = re.compile(r"[\d\s()+./-]*\d[\d\s()+./-]*")
NOT_DIGIT = re.compile(r"\D")


@dataclass(frozen=True)
class SearchTerm:
	"""One thing typed: found when a word of the patient's begins with one of `prefixes` or is one of
	`words`."""

	prefixes: tuple[str, ...]
	words: tuple[str, ...] = ()


def fold(text: str) -> str:
	"""Lower case without accents, as the index and the search both see text."""
	decomposed = unicodedata.normalize("NFKD", text)
	return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_words(name: str) -> set[str]:
	"""Each word of the name, and the name run together from each of its words on."""
	parts = WORD.findall(fold(name))
	return {*parts, *("".join(parts[start:]) for start in range(len(parts)))}


def tails(text: str) -> set[str]:
	"""The text from the start of each of its words: 'ana.garcia@x.org', 'garcia@x.org', 'x.org', 'org'."""
	folded = fold(text)
	return {folded[word.start() :].strip() for word in WORD.finditer(folded)}


def mobile_word(mobile: str) -> str | None:
	"""The mobile's digits reversed, so that a prefix of this word is the end of the number."""
	digits = NOT_DIGIT.sub("", mobile)
	return f"{MOBILE_MARK}{digits[::-1]}" if digits else None


def patient_words(
	patient: str, patient_name: str | None, email: str | None, mobile: str | None
) -> frozenset[str]:
	"""Every word the patient is found by, each cut to the index's width."""
	words = name_words(patient_name or "") | tails(email or "")
	words.add(EDGES.sub("", fold(patient)))
	words.add(mobile_word(mobile or "") or "")
	return frozenset(w[:WORD_LENGTH] for w in words if w)


def search_terms(search: str | None) -> tuple[SearchTerm, ...]:
	"""What the search looks up, one term per word typed; a search that is only a number is one term."""
	text = (search or "").strip()
	if PHONE.fullmatch(text):
		return (phone_term(text),)
	return tuple(term for typed in text.split() if (term := word_term(typed)))


def word_term(typed: str) -> SearchTerm | None:
	"""A typed word as it stands (without the punctuation around it) and run together."""
	folded = EDGES.sub("", fold(typed))
	if not folded:
		return None
	prefixes = dict.fromkeys(w[:WORD_LENGTH] for w in (folded, "".join(WORD.findall(folded))))
	if PHONE.fullmatch(typed):
		number = phone_term(typed)
		return SearchTerm(tuple({**prefixes, **dict.fromkeys(number.prefixes)}), number.words)
	return SearchTerm(tuple(prefixes))


def phone_term(typed: str) -> SearchTerm:
	"""A number: mobiles ending with it, mobiles it ends with, and words beginning with its digits."""
	digits = NOT_DIGIT.sub("", typed)
	reversed_digits = digits[::-1]
	return SearchTerm(
		(f"{MOBILE_MARK}{reversed_digits}", digits),
		tuple(f"{MOBILE_MARK}{reversed_digits[:n]}" for n in range(MIN_MOBILE_DIGITS, len(digits))),
	)


def prefix_pattern(prefix: str) -> str:
	"""A LIKE pattern for words beginning with `prefix`, its own wildcards taken literally."""
	escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
	return f"{escaped}%"
