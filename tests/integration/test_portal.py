"""The portal over real requests: each login sees exactly the patients and sections it was granted."""

from werkzeug.test import Client

import frappe
from frappe.utils import add_days, today
from frappe.utils.password import update_password

from portal_onboarding.constants import ACCOUNT, SECTION
from tests.integration.committed import CommittedCase
from tests.integration.factories import in_own_thread, make_user, strong_password, unique
from tests.site import site_name

CLINICAL = ("Lab Test", "Patient Appointment", "Patient Encounter")


def raw_insert(doc: dict, children: dict[str, list[dict]] | None = None) -> str:
	"""A clinical record written straight to its table: the portal only reads them."""
	record = frappe.get_doc(doc)
	record.name = unique(doc["doctype"][:3].upper() + "-")
	record.db_insert()
	for fieldname, (child_doctype, rows) in (children or {}).items():
		for idx, row in enumerate(rows, start=1):
			child = frappe.get_doc({"doctype": child_doctype, **row})
			child.update(
				{"parent": record.name, "parenttype": doc["doctype"], "parentfield": fieldname, "idx": idx}
			)
			child.name = unique("row-")
			child.db_insert()
	return record.name


def lab_test(patient: str, docstatus: int = 1, value: str = "7.9") -> str:
	return raw_insert(
		{
			"doctype": "Lab Test",
			"patient": patient,
			"lab_test_name": "Potassium",
			"docstatus": docstatus,
			"result_date": today(),
		},
		{
			"normal_test_items": (
				"Normal Test Result",
				[
					{
						"lab_test_name": "Potassium",
						"result_value": value,
						"normal_range": "3.5 - 5.0",
						"lab_test_uom": None,
					}
				],
			)
		},
	)


ALL_SECTIONS = ["Appointments", "Lab Results", "Prescriptions"]


def permit(patient: str, sections: list[str] = ALL_SECTIONS) -> None:
	from portal_onboarding.invitations import portal_access

	for account in frappe.get_all(ACCOUNT, filters={"patient": patient}, pluck="name"):
		portal_access.set_permitted_sections(account, sections)
	frappe.db.commit()


def shows(response, text: str) -> bool:
	return text in response.get_data(as_text=True)


class PortalCase(CommittedCase):
	def tearDown(self):
		for doctype in CLINICAL:
			for name in frappe.get_all(
				doctype, filters={"patient": ("in", self.patients or [""])}, pluck="name"
			):
				frappe.db.delete(doctype, name)
		frappe.db.delete("Normal Test Result", {"parent": ("like", "LAB-%")})
		frappe.db.delete("Drug Prescription", {"parent": ("like", "PAT-%")})
		frappe.db.commit()
		super().tearDown()

	def login_with_password(self, patient: str) -> tuple[str, str, str]:
		account, user = self.active_login(patient)
		permit(patient)
		password = strong_password()
		update_password(user, password)
		frappe.db.commit()
		return account, user, password

	def get(self, user: str, password: str, requests: list[tuple[str, str, dict | None]]) -> list:
		def work():
			from frappe.app import application

			client = Client(application)
			headers = {"Host": site_name()}
			client.post("/api/method/login", data={"usr": user, "pwd": password}, headers=headers)
			return [
				client.open(path, method=method, data=data, headers=headers)
				for method, path, data in requests
			]

		return in_own_thread(work)


class TestPortalPages(PortalCase):
	def test_sections_show_only_the_granted_patients_submitted_records(self):
		own, other = self.patient(), self.patient()
		_account, user, password = self.login_with_password(own.name)
		mine = lab_test(own.name, value="7.9")
		draft = lab_test(own.name, docstatus=0, value="1.1")
		theirs = lab_test(other.name, value="987.6")
		raw_insert(
			{
				"doctype": "Patient Appointment",
				"patient": own.name,
				"appointment_date": add_days(today(), 3),
				"appointment_time": "09:30:00",
				"practitioner_name": "Dr Upcoming",
				"status": "Scheduled",
			}
		)
		raw_insert(
			{
				"doctype": "Patient Appointment",
				"patient": other.name,
				"appointment_date": today(),
				"practitioner_name": "Dr Other",
			}
		)
		raw_insert(
			{"doctype": "Patient Encounter", "patient": own.name, "docstatus": 1, "encounter_date": today()},
			{
				"drug_prescription": (
					"Drug Prescription",
					[{"drug_name": "Amoxicillin", "comment": "With food"}],
				)
			},
		)
		frappe.db.commit()
		home, labs, appointments, prescriptions, details = self.get(
			user,
			password,
			[
				("GET", "/portal", None),
				("GET", "/portal/lab-results", None),
				("GET", "/portal/appointments", None),
				("GET", "/portal/prescriptions", None),
				("GET", "/portal/personal-details", None),
			],
		)
		for response in (home, labs, appointments, prescriptions, details):
			self.assertEqual(response.status_code, 200, response.get_data(as_text=True)[:500])
			self.assertFalse(shows(response, other.patient_name), other.patient_name)
		self.assertTrue(shows(home, own.patient_name), own.patient_name)
		html = labs.get_data(as_text=True)
		self.assertTrue(f'data-lab-test="{mine}"' in html, f'data-lab-test="{mine}"')
		self.assertTrue("data-out-of-range" in html, "data-out-of-range")
		self.assertFalse(draft in html, draft)
		self.assertFalse(theirs in html, theirs)
		self.assertFalse("987.6" in html, "987.6")
		self.assertTrue(shows(appointments, "Dr Upcoming"), "Dr Upcoming")
		self.assertFalse(shows(appointments, "Dr Other"), "Dr Other")
		self.assertTrue(shows(prescriptions, "Amoxicillin"), "Amoxicillin")
		self.assertTrue(shows(details, own.email), own.email)

	def test_a_section_the_account_does_not_permit_is_absent_and_refused(self):
		patient = self.patient()
		account, user, password = self.login_with_password(patient.name)
		frappe.db.delete(SECTION, {"parent": account, "portal_section": "Lab Results"})
		lab_test(patient.name)
		frappe.db.commit()
		home, labs = self.get(
			user, password, [("GET", "/portal", None), ("GET", "/portal/lab-results", None)]
		)
		self.assertFalse(shows(home, 'data-section="Lab Results"'), 'data-section="Lab Results"')
		self.assertEqual(labs.status_code, 403)
		self.assertFalse(shows(labs, "Potassium"), "Potassium")

	def test_a_representative_switches_only_between_granted_children(self):
		children = [self.patient(), self.patient()]
		stranger = self.patient()
		rep = {
			"first_name": "Robin",
			"last_name": "Parent",
			"email": f"{unique('robin')}@example.com",
			"relation": "Parent",
		}
		username, password = unique("robin."), strong_password()
		from tests.integration.factories import accept_link

		for n, child in enumerate(children):
			_account, _invitation, key = self.invited(child.name, representative=rep)
			self.assertTrue(accept_link(key, username=username, password=password, existing_login=n)["ok"])
			frappe.db.commit()
			permit(child.name)
		user = frappe.db.get_value(
			ACCOUNT, {"patient": children[0].name, "access_type": "Authorized Representative"}, "user"
		)
		tests = [lab_test(child.name) for child in children]
		strangers_test = lab_test(stranger.name)
		frappe.db.commit()
		api = "/api/method/portal_onboarding.api.portal.choose_patient"
		_chose_first, first, refused, chosen, second, by_url = self.get(
			user,
			password,
			[
				("POST", api, {"patient": children[0].name}),
				("GET", "/portal/lab-results", None),
				("POST", api, {"patient": stranger.name}),
				("POST", api, {"patient": children[1].name}),
				("GET", f"/portal/lab-results?patient={stranger.name}", None),
				("GET", f"/lab-test/{strangers_test}", None),
			],
		)
		self.assertTrue(shows(first, tests[0]), tests[0])
		self.assertFalse(shows(first, tests[1]), tests[1])
		self.assertEqual(refused.status_code, 403)
		self.assertEqual(chosen.status_code, 200)
		html = second.get_data(as_text=True)
		self.assertTrue(tests[1] in html, tests[1])
		self.assertFalse(strangers_test in html, strangers_test)
		self.assertFalse(stranger.patient_name in html, stranger.patient_name)
		self.assertEqual(by_url.status_code, 302)
		self.assertTrue(by_url.headers["Location"].endswith("/portal/lab-results"))


class TestMarleyRoutes(PortalCase):
	def test_marley_routes_redirect_and_email_matched_logins_see_nothing(self):
		victim = self.patient()
		record = lab_test(victim.name)
		# A login made by Marley's "Invite as User": its email is the patient's, it holds no grant.
		marley_login, password = make_user(["Patient"], email=victim.email, user_type="Website User")
		self.users.append(marley_login)
		frappe.db.commit()
		responses = self.get(
			marley_login,
			password,
			[
				("GET", "/personal-details", None),
				("GET", f"/personal-details/{victim.name}", None),
				("GET", "/lab-test", None),
				("GET", "/prescription", None),
				("GET", "/patient-appointments", None),
				("GET", f"/printview?doctype=Lab%20Test&name={record}", None),
				("GET", f"/printview?doctype=Patient&name={victim.name}", None),
				(
					"GET",
					"/api/method/frappe.website.doctype.web_form.web_form.get_form_data"
					f"?doctype=Patient&docname={victim.name}&web_form_name=personal-details",
					None,
				),
			],
		)
		targets = ["personal-details", "personal-details", "lab-results", "prescriptions", "appointments"]
		for response, target in zip(responses[:5], targets, strict=True):
			self.assertEqual(response.status_code, 302)
			self.assertTrue(response.headers["Location"].endswith(f"/portal/{target}"))
		for response in responses[5:]:
			body = response.get_data(as_text=True)
			self.assertNotEqual(response.status_code, 200, body[-400:])
			# Only what the prober typed may come back (a 404 names the record asked for), never data.
			self.assertFalse(victim.email in body or "Potassium" in body, response.status_code)


class TestMarleyLoginsAndLanding(PortalCase):
	def test_marley_made_logins_keep_access_through_a_grant_and_land_on_the_portal(self):
		from portal_onboarding.accounts.marley_logins import migrate_marley_logins
		from portal_onboarding.constants import EVENT, AccountStatus, EventType
		from portal_onboarding.permissions import portal_grants

		patient = self.patient()
		login, password = make_user(["Patient"], email=patient.email, user_type="Website User")
		self.users.append(login)
		frappe.db.set_value("Patient", patient.name, "user_id", login)
		# user_id pointed at somebody else's login: no grant, whoever set it.
		other = self.patient()
		frappe.db.set_value("Patient", other.name, "user_id", login)
		migrated = migrate_marley_logins()
		account = frappe.db.get_value(
			ACCOUNT, {"patient": patient.name, "user": login}, ["name", "status"], as_dict=True
		)
		self.assertIn(account.name, migrated)
		self.assertEqual(account.status, AccountStatus.ACTIVE)
		self.assertEqual([g.patient for g in portal_grants(login)], [patient.name])
		self.assertTrue(
			frappe.db.exists(EVENT, {"account": account.name, "event_type": EventType.ACCOUNT_MIGRATED})
		)
		self.assertEqual(migrate_marley_logins(), [], "running it again changes nothing")
		permit(patient.name)
		frappe.db.commit()

		def work():
			from frappe.app import application

			client = Client(application)
			headers = {"Host": site_name()}
			signed_in = client.post(
				"/api/method/login", data={"usr": login, "pwd": password}, headers=headers
			)
			return [signed_in, client.get("/portal", headers=headers)]

		signed_in, home = in_own_thread(work)
		self.assertEqual(signed_in.json["home_page"], "/portal")
		self.assertTrue(shows(home, patient.patient_name))
		self.assertFalse(shows(home, other.patient_name))


class TestSpanish(PortalCase):
	def test_pages_and_mail_follow_the_persons_language(self):
		from tests.integration.factories import queued_mails

		patient = self.patient()
		frappe.db.set_value("Patient", patient.name, "language", "es")
		_account, invitation, _key = self.invited(patient.name)
		(mail,) = queued_mails(invitation)
		self.assertIn("le ha invitado al portal del paciente", mail["html"])
		_account, user, password = self.login_with_password(patient.name)
		frappe.db.set_value("User", user, "language", "es")
		frappe.db.commit()
		(home, labs) = self.get(
			user, password, [("GET", "/portal", None), ("GET", "/portal/lab-results", None)]
		)
		self.assertTrue(shows(home, "Bienvenido al portal del paciente"))
		self.assertTrue(shows(labs, "Todavía no hay resultados de laboratorio."))

		def guest():
			from frappe.app import application

			client = Client(application)
			return [
				client.get(
					"/portal/activate", headers={"Host": site_name(), "Accept-Language": "es-ES,es;q=0.9"}
				)
			]

		(page,) = in_own_thread(guest)
		self.assertTrue(shows(page, "Active su cuenta del portal"))


class TestPersonalDetails(PortalCase):
	def test_a_self_login_corrects_its_contacts_and_a_new_email_is_guarded(self):
		from portal_onboarding.constants import INVITATION, AccountStatus

		patient = self.patient()
		account, user, password = self.login_with_password(patient.name)
		api = "/api/method/portal_onboarding.api.portal.update_contact"
		new_email = f"{unique('moved')}@example.com"
		bad, mobile, moved, after = self.get(
			user,
			password,
			[
				("POST", api, {"email": "not-an-email", "mobile": ""}),
				("POST", api, {"email": patient.email, "mobile": "+15550102030"}),
				("POST", api, {"email": new_email, "mobile": "+15550102030"}),
				("GET", "/portal", None),
			],
		)
		self.assertFalse(bad.json["message"]["ok"])
		self.assertTrue(mobile.json["message"]["ok"])
		self.assertFalse(mobile.json["message"]["email_changed"])
		self.assertTrue(moved.json["message"]["email_changed"])
		self.assertNotEqual(after.status_code, 200)  # the guard ended the session
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.get_value("Patient", patient.name, ["email", "mobile"]), (new_email, "+15550102030")
		)
		self.assertEqual(frappe.db.get_value(ACCOUNT, account, "status"), AccountStatus.SUSPENDED)
		self.assertTrue(
			frappe.db.exists(INVITATION, {"account": account, "reverification": 1, "sent_to": new_email})
		)

	def test_a_representative_may_not_change_the_patients_contacts(self):
		child = self.patient()
		rep = {
			"first_name": "Rae",
			"last_name": "Rep",
			"email": f"{unique('rae')}@example.com",
			"relation": "Parent",
		}
		username, password = unique("rae."), strong_password()
		from tests.integration.factories import accept_link

		_a, _i, key = self.invited(child.name, representative=rep)
		self.assertTrue(accept_link(key, username=username, password=password)["ok"])
		frappe.db.commit()
		user = frappe.db.get_value(
			ACCOUNT, {"patient": child.name, "access_type": "Authorized Representative"}, "user"
		)
		(response,) = self.get(
			user,
			password,
			[("POST", "/api/method/portal_onboarding.api.portal.update_contact", {"email": "x@example.com"})],
		)
		self.assertEqual(response.status_code, 403)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Patient", child.name, "email"), child.email)
