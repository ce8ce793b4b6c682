"""Strong temporary passwords for accounts whose credentials the clinic hands over in person."""

import secrets
import string

# Letters and digits that are easy to read aloud and copy: no 0/O, 1/l/I.
LOWER = "abcdefghijkmnpqrstuvwxyz"
UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "23456789"
SYMBOLS = "!#$%*+-=?@^_"
MIN_LENGTH = 12


def generate_temporary_password(length: int = 16) -> str:
	"""A random password of `length` characters with at least one of each character class."""
	if length < MIN_LENGTH:
		raise ValueError(f"A temporary password needs at least {MIN_LENGTH} characters.")
	rng = secrets.SystemRandom()
	classes = (LOWER, UPPER, DIGITS, SYMBOLS)
	chars = [rng.choice(group) for group in classes]
	alphabet = "".join(classes)
	chars += [rng.choice(alphabet) for _ in range(length - len(chars))]
	rng.shuffle(chars)
	return "".join(chars)


def has_all_classes(password: str) -> bool:
	"""True when the password mixes lower case, upper case, digits and symbols."""
	return (
		any(c in string.ascii_lowercase for c in password)
		and any(c in string.ascii_uppercase for c in password)
		and any(c in string.digits for c in password)
		and any(c in SYMBOLS for c in password)
	)
