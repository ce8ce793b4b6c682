from portal_onboarding.setup.patient_list import show_portal_status_in_patient_list


def execute() -> None:
	"""Portal Status as a Patient list column on sites installed before it was one; once, not on every
	migrate, so a clinic that removes the column keeps it removed."""
	show_portal_status_in_patient_list()
