"""Bulk invitations: what a batch may hold, and which patients it invites, skips or leaves alone."""

from collections.abc import Iterable
from dataclasses import dataclass

from portal_onboarding.constants import AccountStatus, BatchOutcome
from portal_onboarding.core.messages import Reason, _

S = AccountStatus

# Ticking rows sends names in the request; beyond this, "Invite every eligible patient" is the tool.
MAX_SELECTED = 10_000
CHUNK_SIZE = 50


# Statuses an "invite everyone not yet invited" batch picks up; a failed or expired invitation counts
# as not invited, since the person never got a working link.
NOT_YET_INVITED = (S.NOT_ENABLED, S.ENABLED, S.INVITE_EXPIRED, S.INVITE_FAILED)


@dataclass(frozen=True)
class Selection:
	"""What a bulk request asks for, checked."""

	patients: tuple[str, ...] = ()
	all_eligible: bool = False


def check_selection(patients: object, all_eligible: bool) -> tuple[Selection, tuple[Reason, ...]]:
	"""The patients of a bulk request, without repeats, and every reason it cannot start."""
	if patients in (None, ""):
		patients = []
	if not isinstance(patients, list | tuple) or not all(isinstance(p, str) for p in patients):
		return Selection(), (Reason("bad_patients", _("Patients must be a list of patient IDs.")),)
	names = tuple(dict.fromkeys(p.strip() for p in patients if p and p.strip()))
	if all_eligible and names:
		return Selection(), (
			Reason("both", _("Either tick patients or invite every eligible patient, not both.")),
		)
	if all_eligible:
		return Selection(all_eligible=True), ()
	if not names:
		return Selection(), (Reason("nothing_selected", _("Tick at least one patient to invite.")),)
	if len(names) > MAX_SELECTED:
		return Selection(), (
			Reason(
				"too_many",
				_(
					"{0} patients are selected; at most {1} can be invited at once this way. "
					"Use “Invite every eligible patient not yet invited” for more."
				),
				(f"{len(names):,}", f"{MAX_SELECTED:,}"),
			),
		)
	return Selection(patients=names), ()


def skip_reason(self_status: str | None, invitation_on_its_way: bool) -> Reason | None:
	"""Why a batch leaves this patient alone, or None to enable and invite them.

	A batch never invites twice: an invitation on its way or a live link is the answer already.
	"""
	status = self_status or S.NOT_ENABLED
	if invitation_on_its_way or status == S.INVITED:
		return Reason("already_invited", _("Already invited: the invitation is on its way or waiting."))
	if status == S.ACTIVE:
		return Reason("already_active", _("Already on the portal."))
	if status not in NOT_YET_INVITED:
		return Reason("not_invitable", _("The portal account is {0}: it is not invited in bulk."), (status,))
	return None


def tally(outcomes: Iterable[tuple[str, int]]) -> dict[str, int]:
	"""Counts per outcome from grouped rows, every outcome present."""
	counts = dict.fromkeys(BatchOutcome.ALL, 0)
	for outcome, count in outcomes:
		if outcome in counts:
			counts[outcome] += int(count or 0)
	return counts


def progress_percent(done: int, total: int) -> float:
	"""Progress for the bar: 100 only when every patient is done (an empty batch is done)."""
	if total <= 0:
		return 100.0
	return round(min(done, total) * 100.0 / total, 1)
