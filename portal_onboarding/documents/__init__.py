"""Documents shared with the patient portal: staff share a patient's files one by one, the portal lists
and serves only those, and every share and its end is audited."""
