"""Blocks of demo patients: the spread of statuses and missing data every block gets."""

import random
from dataclasses import dataclass

from portal_onboarding.constants import AccountStatus

S = AccountStatus

# Every BLOCK patients of a run get exactly this spread, so even a small run shows every status.
BLOCK = 50
STATUS_DECK: tuple[str, ...] = (
	(S.NOT_ENABLED,) * 34
	+ (S.ENABLED,) * 3
	+ (S.INVITED,) * 4
	+ (S.ACTIVE,) * 5
	+ (S.INVITE_EXPIRED,) * 2
	+ (S.INVITE_FAILED,) * 1
	+ (S.SUSPENDED,) * 1
)
# Per block, among patients without portal access: what their record lacks (8% no email, 10% no address).
QUIRKS: tuple[str, ...] = ("no_email",) * 4 + ("no_address",) * 5 + ("no_zip", "no_dob")
# One block in this many (the first among them) has a child turning adult within the report's 30 days
# and a grown-up whose parent's account the daily age job ended: 0.5% of patients each, a few times what
# a clinic has, so that a small demo shows both.
AGES_EVERY = 4


@dataclass(frozen=True)
class Slot:
	"""What one position of a block decides before the person is drawn."""

	status: str
	disabled: bool = False
	quirk: str | None = None
	in_family: bool = False
	extra_representative: bool = False
	turning_adult: bool = False
	aged_out: bool = False


def plan_block(rng: random.Random, ages: bool = True) -> list[Slot]:
	"""One block's slots: the status spread, one family sharing an email, the records that lack data.

	With portal access: one adult with an extra representative (their proxy); and when `ages`, one
	child turning adult within the report's look-ahead, and the Suspended patient a young adult whose
	parent's account the daily age job ended at their majority, with no account of their own yet.
	"""
	statuses = list(STATUS_DECK)
	rng.shuffle(statuses)
	size = rng.choice((2, 2, 3, 4))
	first = rng.randrange(BLOCK - size + 1)
	family = set(range(first, first + size))
	plain = [i for i, s in enumerate(statuses) if s == S.NOT_ENABLED and i not in family]
	rng.shuffle(plain)
	disabled = plain.pop()
	quirks = dict(zip(plain, QUIRKS, strict=False))
	enabled = [i for i, s in enumerate(statuses) if s != S.NOT_ENABLED]
	extra = rng.choice(enabled)
	turning = rng.choice([i for i in enabled if i != extra and statuses[i] != S.SUSPENDED])
	return [
		Slot(
			status=status,
			disabled=i == disabled,
			quirk=quirks.get(i),
			in_family=i in family,
			extra_representative=i == extra,
			turning_adult=ages and i == turning,
			aged_out=ages and status == S.SUSPENDED and i != extra,
		)
		for i, status in enumerate(statuses)
	]
