// The portal's forms for keyboards and screen readers: an error is announced by its role="alert" box,
// tied to the fields it is about (aria-invalid, aria-describedby) and the first of them takes the focus;
// a new step or a result takes the focus too, so it is never left on something that disappeared.
// Loaded on the portal's pages, the sign-in page and requested web forms only (portal/login.py).
(function () {
	const FIELDS =
		"input:not([type=hidden]):not([disabled]):not([readonly]), select:not([disabled]), textarea:not([disabled])";
	const tied = new WeakMap(); // error box -> [[field, id of the message describing it]]

	const ids = (element) =>
		(element.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
	const shown = (element) => element.getClientRects().length > 0;
	const inOrder = (a, b) =>
		a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;

	function clearErrors(box) {
		(tied.get(box) || []).forEach(([field, id]) => {
			const rest = ids(field).filter((each) => each !== id);
			if (rest.length) field.setAttribute("aria-describedby", rest.join(" "));
			else field.removeAttribute("aria-describedby");
			field.removeAttribute("aria-invalid");
		});
		tied.delete(box);
		box.replaceChildren();
		box.classList.add("d-none");
	}

	// errors: [{message, fields: [input, ...]}]. The box needs an id and role="alert".
	function showErrors(box, errors) {
		clearErrors(box);
		errors = [].concat(errors || []).filter((error) => error && error.message);
		if (!errors.length) return;
		const pairs = [];
		errors.forEach((error, index) => {
			const line = document.createElement("div");
			line.id = `${box.id}-${index}`;
			line.textContent = error.message;
			box.appendChild(line);
			(error.fields || []).filter(Boolean).forEach((field) => {
				field.setAttribute("aria-invalid", "true");
				field.setAttribute("aria-describedby", [...ids(field), line.id].join(" "));
				pairs.push([field, line.id]);
			});
		});
		tied.set(box, pairs);
		box.classList.remove("d-none");
		focus(pairs.map(([field]) => field).sort(inOrder)[0] || box);
	}

	// The element's first field, else the element itself (focusable from script only).
	function focus(element) {
		if (!element) return;
		const field = element.matches(FIELDS)
			? element
			: [...element.querySelectorAll(FIELDS)].find(shown);
		const target = field || element;
		if (!field && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
		target.focus();
	}

	// A table wider than the screen scrolls in its own region: the keyboard can reach it then (2.1.1).
	function scrollableTables() {
		document.querySelectorAll(".table-responsive").forEach((region) => {
			if (region.scrollWidth > region.clientWidth) region.setAttribute("tabindex", "0");
			else region.removeAttribute("tabindex");
		});
	}
	window.addEventListener("resize", scrollableTables);

	// A requested web form: Frappe draws its fields after load, each label not tied to its field (1.3.1).
	function labelWebFormFields() {
		document.querySelectorAll(".web-form-container .frappe-control").forEach((control) => {
			const label = control.querySelector("label.control-label");
			const field = control.querySelector(
				".control-input input, .control-input textarea, .control-input select"
			);
			if (!label || !field || field.labels.length) return;
			if (!field.id) field.id = `portal-field-${control.dataset.fieldname}`;
			label.htmlFor = field.id;
		});
	}
	function ready() {
		scrollableTables();
		const form = document.querySelector(".web-form-container");
		if (!form) return;
		labelWebFormFields();
		new MutationObserver(labelWebFormFields).observe(form, { childList: true, subtree: true });
	}
	if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
	else ready();

	window.portal_a11y = { showErrors, clearErrors, focus };
})();
