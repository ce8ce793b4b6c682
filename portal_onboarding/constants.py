"""Names shared by the core and the Frappe shell: doctypes, roles, statuses, custom fields.

Pure Python: the core imports this module, so it must never import frappe.
"""

APP_NAME = "portal_onboarding"
MODULE = "Portal Onboarding"

# DocTypes
SETTINGS = "Portal Onboarding Settings"
ACCOUNT = "Patient Portal Account"
INVITATION = "Patient Portal Invitation"
EVENT = "Patient Portal Event"
BATCH = "Patient Portal Invitation Batch"
BATCH_ITEM = "Patient Portal Invitation Batch Item"
PASSWORD_RESET = "Patient Portal Password Reset"
REGISTRATION = "Patient Portal Registration"
FORM_REQUEST = "Patient Portal Form Request"
DOCUMENT = "Patient Portal Document"
ONBOARDING_REPORT = "Patient Portal Onboarding"
SECTION = "Patient Portal Section"
PATIENT = "Patient"

# Roles
MANAGER_ROLE = "Portal Onboarding Manager"
ADMIN_ROLES = ("System Manager", MANAGER_ROLE)
PATIENT_ROLE = "Patient"

# Custom fields on Patient
PORTAL_ACCESS_FIELD = "portal_access"
PORTAL_STATUS_FIELD = "portal_status"
PORTAL_REASON_FIELD = "portal_status_reason"
SEND_INVITATION_FIELD = "send_portal_invitation"
# A parent or carer typed on the new-patient form, invited as an Authorized Representative after the
# save commits; the fields are emptied once the invitation exists (the account holds the details).
CARER_ACCESS_FIELD = "portal_carer_access"
CARER_FIRST_NAME_FIELD = "portal_carer_first_name"
CARER_LAST_NAME_FIELD = "portal_carer_last_name"
CARER_EMAIL_FIELD = "portal_carer_email"
CARER_MOBILE_FIELD = "portal_carer_mobile"
CARER_RELATION_FIELD = "portal_carer_relation"
CARER_FIELDS = (
	CARER_FIRST_NAME_FIELD,
	CARER_LAST_NAME_FIELD,
	CARER_EMAIL_FIELD,
	CARER_MOBILE_FIELD,
	CARER_RELATION_FIELD,
)
# A summary of the patient's accounts, kept with the status so the onboarding report reads one table.
LAST_INVITED_FIELD = "portal_last_invited_on"
ACTIVATED_FIELD = "portal_activated_on"
REPRESENTATIVES_FIELD = "portal_representatives"
HOME_ZIP_FIELD = "portal_home_zip"
NO_ACCESS = "No Access to Portal"
CAN_ACCESS = "Patient Can Access Portal"


class AccessType:
	SELF = "Self"
	REPRESENTATIVE = "Authorized Representative"


class AccountStatus:
	NOT_ENABLED = "Not Enabled"
	ENABLED = "Enabled"
	INVITED = "Invited"
	ACTIVE = "Active"
	SUSPENDED = "Suspended"
	PENDING_DELETE = "Pending Delete"
	INVITE_EXPIRED = "Invite Expired"
	INVITE_FAILED = "Invite Failed"

	ALL = (
		NOT_ENABLED,
		ENABLED,
		INVITED,
		ACTIVE,
		SUSPENDED,
		PENDING_DELETE,
		INVITE_EXPIRED,
		INVITE_FAILED,
	)


class InvitationStatus:
	QUEUED = "Queued"
	SENT = "Sent"
	FAILED = "Failed"
	ACCEPTED = "Accepted"
	EXPIRED = "Expired"
	REVOKED = "Revoked"

	ALL = (QUEUED, SENT, FAILED, ACCEPTED, EXPIRED, REVOKED)
	LIVE = (QUEUED, SENT, FAILED)


class ResetStatus:
	SENT = "Sent"
	USED = "Used"
	EXPIRED = "Expired"
	REVOKED = "Revoked"

	ALL = (SENT, USED, EXPIRED, REVOKED)


class RegistrationStatus:
	PENDING_VERIFICATION = "Pending Verification"
	AWAITING_REVIEW = "Awaiting Review"
	APPROVED = "Approved"
	REJECTED = "Rejected"
	EXPIRED = "Expired"

	ALL = (PENDING_VERIFICATION, AWAITING_REVIEW, APPROVED, REJECTED, EXPIRED)


class FormRequestStatus:
	REQUESTED = "Requested"
	SUBMITTED = "Submitted"
	CANCELLED = "Cancelled"

	ALL = (REQUESTED, SUBMITTED, CANCELLED)


class BatchOutcome:
	PENDING = "Pending"
	SENT = "Sent"
	SKIPPED = "Skipped"
	FAILED = "Failed"

	ALL = (PENDING, SENT, SKIPPED, FAILED)


class BatchStatus:
	QUEUED = "Queued"
	RUNNING = "Running"
	COMPLETED = "Completed"
	FAILED = "Failed"

	ALL = (QUEUED, RUNNING, COMPLETED, FAILED)
	OPEN = (QUEUED, RUNNING)


class BatchMode:
	SELECTED = "Selected Patients"
	ALL_ELIGIBLE = "All Eligible Not Yet Invited"


class Channel:
	EMAIL = "Email"
	SMS = "SMS"
	BOTH = "Both"

	ALL = (EMAIL, SMS, BOTH)


class EventType:
	ACCOUNT_CREATED = "Account Created"
	STATUS_CHANGED = "Status Changed"
	ACCESS_CHANGED = "Access Changed"
	PORTAL_ENABLED = "Portal Enabled"
	PORTAL_DISABLED = "Portal Disabled"
	INVITATION_SENT = "Invitation Sent"
	INVITATION_RESENT = "Invitation Resent"
	INVITATION_FAILED = "Invitation Failed"
	INVITATION_REVOKED = "Invitation Revoked"
	IDENTITY_CHECK_FAILED = "Identity Check Failed"
	ACCOUNT_ACTIVATED = "Account Activated"
	INVITATION_EXPIRED = "Invitation Expired"
	ACCOUNT_DELETED = "Account Deleted"
	INVITATION_REFUSED = "Invitation Refused"
	ACCOUNT_SUSPENDED = "Account Suspended"
	ACCOUNT_REACTIVATED = "Account Reactivated"
	PASSWORD_RESET_SENT = "Password Reset Sent"
	PASSWORD_RESET_USED = "Password Reset Used"
	PASSWORD_CHANGED = "Password Changed"
	CREDENTIALS_SET = "Credentials Set"
	LOGIN_REMOVED = "Login Removed"
	MARKED_FOR_DELETION = "Marked for Deletion"
	DELETION_CANCELLED = "Deletion Cancelled"
	PERSONAL_DATA_DELETED = "Personal Data Deleted"
	EMAIL_CHANGED = "Email Changed"
	ACCOUNT_MIGRATED = "Account Migrated"
	MIGRATION_SKIPPED = "Login Migration Skipped"
	INVITATION_REMINDER_SENT = "Invitation Reminder Sent"
	SIGN_UP_VERIFIED = "Sign-up Verified"
	SIGN_UP_APPROVED = "Sign-up Approved"
	SIGN_UP_REJECTED = "Sign-up Rejected"
	PASSWORD_RESET_REQUESTED = "Password Reset Requested"
	FORM_REQUESTED = "Form Requested"
	FORM_SUBMITTED = "Form Submitted"
	FORM_REQUEST_CANCELLED = "Form Request Cancelled"
	DOCUMENT_SHARED = "Document Shared"
	DOCUMENT_UNSHARED = "Document Unshared"
	ACCESS_NARROWED_BY_AGE = "Access Narrowed by Age"
	ENDED_AT_MAJORITY = "Access Ended at Majority"
	GUARDIANSHIP_RECORDED = "Guardianship Recorded"
	GUARDIANSHIP_ENDED = "Guardianship Ended"
	ASSENT_RECORDED = "Assent Recorded"
	ASSENT_WITHDRAWN = "Assent Withdrawn"
	PROXY_INVITED = "Proxy Invited"
	PROXY_CHANGED = "Proxy Changed"
	PROXY_RENEWED = "Proxy Renewed"
	PROXY_REVOKED = "Proxy Revoked"

	ALL = (
		ACCOUNT_CREATED,
		STATUS_CHANGED,
		ACCESS_CHANGED,
		PORTAL_ENABLED,
		PORTAL_DISABLED,
		INVITATION_SENT,
		INVITATION_RESENT,
		INVITATION_FAILED,
		INVITATION_REVOKED,
		IDENTITY_CHECK_FAILED,
		ACCOUNT_ACTIVATED,
		INVITATION_EXPIRED,
		ACCOUNT_DELETED,
		INVITATION_REFUSED,
		ACCOUNT_SUSPENDED,
		ACCOUNT_REACTIVATED,
		PASSWORD_RESET_SENT,
		PASSWORD_RESET_USED,
		PASSWORD_CHANGED,
		CREDENTIALS_SET,
		LOGIN_REMOVED,
		MARKED_FOR_DELETION,
		DELETION_CANCELLED,
		PERSONAL_DATA_DELETED,
		EMAIL_CHANGED,
		ACCOUNT_MIGRATED,
		INVITATION_REMINDER_SENT,
		SIGN_UP_VERIFIED,
		SIGN_UP_APPROVED,
		SIGN_UP_REJECTED,
		PASSWORD_RESET_REQUESTED,
		FORM_REQUESTED,
		FORM_SUBMITTED,
		FORM_REQUEST_CANCELLED,
		MIGRATION_SKIPPED,
		DOCUMENT_SHARED,
		DOCUMENT_UNSHARED,
		ACCESS_NARROWED_BY_AGE,
		ENDED_AT_MAJORITY,
		GUARDIANSHIP_RECORDED,
		GUARDIANSHIP_ENDED,
		ASSENT_RECORDED,
		ASSENT_WITHDRAWN,
		PROXY_INVITED,
		PROXY_CHANGED,
		PROXY_RENEWED,
		PROXY_REVOKED,
	)


# The invitation Email Template the app ships (clinics may edit it, or choose another in the settings).
INVITATION_TEMPLATE = "Patient Portal Invitation"

# Portal sections an account may be permitted to see.
PORTAL_SECTIONS = (
	"Appointments",
	"Lab Results",
	"Prescriptions",
	"Medical Records",
	"Invoices",
	"Documents",
	"Forms",
)

# Relations a representative may have to the patient (the Select on Patient Portal Account).
RELATIONS = ("Parent", "Legal Guardian", "Carer", "Spouse or Partner", "Child", "Other")

# Invitation lifetime bounds, in hours.
MIN_INVITATION_HOURS = 1
MAX_INVITATION_HOURS = 30 * 24
DEFAULT_INVITATION_HOURS = 72
# Password reset link lifetime bounds, in hours.
MIN_RESET_HOURS = 1
MAX_RESET_HOURS = 7 * 24
DEFAULT_RESET_HOURS = 24
# Days an account waits in Pending Delete before its personal details are deleted.
MIN_DELETE_AFTER_DAYS = 1
MAX_DELETE_AFTER_DAYS = 365
DEFAULT_DELETE_AFTER_DAYS = 30
