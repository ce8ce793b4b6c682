"""The patient portal: who is looked at, which sections, and the records each shows."""
