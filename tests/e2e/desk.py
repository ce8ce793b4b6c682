"""Steps a person takes in the browser, shared by the e2e tests."""


def login(page, base_url: str, email: str, password: str) -> None:
	"""Sign in on the site's login page and wait for Desk."""
	page.goto(f"{base_url}/login")
	page.fill("#login_email", email)
	page.fill("#login_password", password)
	page.click(".btn-login")
	page.wait_for_url("**/app**")


def open_portal_action(page, base_url: str, patient: str, action: str, status: str = "Portal:"):
	"""On the Patient form, wait for the portal status, pick `action` from the Portal group and
	return the dialog it opens."""
	from urllib.parse import quote

	page.goto(f"{base_url}/app/patient/{patient}")
	page.locator("[data-portal-status]", has_text=status).wait_for()
	page.locator("button", has_text="Portal").first.click()
	page.locator(f".dropdown-item[data-label='{quote(action)}']").click()
	return page.locator(".modal.show")


def signed_in_page(browser, base_url: str, email: str, password: str):
	"""A fresh browser context signed in to Desk; returns (context, page)."""
	context = browser.new_context()
	page = context.new_page()
	page.set_default_timeout(30_000)
	login(page, base_url, email, password)
	return context, page
