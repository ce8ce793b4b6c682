"""Human-readable reasons that the core returns and the Frappe shell translates."""

from collections.abc import Callable
from dataclasses import dataclass

Translate = Callable[[str], str]


def _(message: str) -> str:
	"""Mark a message for translation extraction; the shell translates it when it is shown."""
	return message


@dataclass(frozen=True)
class Reason:
	"""Why something was refused: a stable code, an English template and its arguments."""

	code: str
	message: str
	args: tuple[str, ...] = ()

	def text(self, translate: Translate = _) -> str:
		"""The sentence in the reader's language, with its arguments filled in."""
		return translate(self.message).format(*self.args)


class RuleError(ValueError):
	"""A rule of the core refused an input; `reason` says why."""

	def __init__(self, reason: Reason) -> None:
		super().__init__(reason.text())
		self.reason = reason
