"""The layer every capability stands on: locks in the one order, a patient's facts, mailed links, logins,
the portal status and the audit writer. It imports no capability."""
