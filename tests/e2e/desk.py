"""Steps a person takes in the browser, shared by the e2e tests."""


def login(page, base_url: str, email: str, password: str) -> None:
	"""Sign in on the site's login page and wait for Desk."""
	page.goto(f"{base_url}/login")
	page.fill("#login_email", email)
	page.fill("#login_password", password)
	page.click(".btn-login")
	page.wait_for_url("**/app**")
