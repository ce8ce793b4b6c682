import pytest

from portal_onboarding.constants import AccountStatus
from portal_onboarding.core.onboarding_report import EmailAction, email_action

S = AccountStatus


@pytest.mark.parametrize(
	"status, email, eligible, reset_account, expected",
	[
		(S.ACTIVE, "ann@example.com", True, "PPA-00001", EmailAction.SEND_PASSWORD_RESET),
		# Active through a representative only: the patient's own email has no login behind it.
		(S.ACTIVE, "ann@example.com", True, None, None),
		(S.ACTIVE, "", True, "PPA-00001", None),
		(S.NOT_ENABLED, "ann@example.com", True, None, EmailAction.INVITE),
		(S.ENABLED, "ann@example.com", True, None, EmailAction.INVITE),
		(S.INVITED, "ann@example.com", True, None, EmailAction.RESEND_INVITATION),
		(S.INVITE_EXPIRED, "ann@example.com", True, None, EmailAction.RESEND_INVITATION),
		(S.INVITE_FAILED, "ann@example.com", True, None, EmailAction.RESEND_INVITATION),
		(S.ENABLED, "ann@example.com", False, None, None),
		(S.ENABLED, "  ", True, None, None),
		(S.SUSPENDED, "ann@example.com", True, None, None),
		(S.PENDING_DELETE, "ann@example.com", True, None, None),
	],
)
def test_the_email_of_a_row_resets_invites_or_does_nothing(status, email, eligible, reset_account, expected):
	assert email_action(status, email, eligible, reset_account) == expected
