"""Inviting patients and their representatives: portal access on and off, the invitation and its delivery,
reminders, and the guest's activation page."""
