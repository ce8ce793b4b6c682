"""Representatives through a patient's life: the age policy's daily job, guardianship and assent, and
the proxies an adult patient chooses."""
