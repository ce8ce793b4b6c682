"""Demo names and numbers: the prefix that marks every demo record, and what people are drawn from."""

import re
import unicodedata

from portal_onboarding.core.messages import Reason, _

DEMO_PREFIX = "PO-DEMO-"
NUMBER_WIDTH = 7
MAX_NUMBER = 10**NUMBER_WIDTH - 1
MAX_PATIENTS = 1_000_000
# No real person's address: the domains RFC 2606 reserves for examples.
DEMO_DOMAINS = ("example.com", "example.org", "example.net")

FEMALE_NAMES = (
	"Olivia", "Emma", "Ava", "Sophia", "Isabella", "Mia", "Charlotte", "Amelia", "Harper", "Evelyn",
	"Abigail", "Emily", "Elizabeth", "Sofia", "Avery", "Ella", "Scarlett", "Grace", "Chloe", "Victoria",
	"Riley", "Aria", "Lily", "Zoë", "Nora", "Hannah", "Layla", "Priya", "Ananya", "Mei", "Yuki",
	"Fatima", "Aisha", "Amara", "Chiamaka", "Ngozi", "María", "Lucía", "Valentina", "Camila", "Ximena",
	"Guadalupe", "Siobhan", "Aoife", "Ingrid", "Freya", "Astrid", "Leilani", "Keiko", "Hana", "Min-ji",
	"Olga", "Natasha", "Irina", "Esther", "Ruth", "Naomi", "Margaret", "Dorothy", "Patricia", "Linda",
	"Barbara", "Susan", "Jennifer", "Anne-Marie", "Renée", "Noémie", "Maya", "Zainab", "Leah",
)  # fmt: skip
MALE_NAMES = (
	"Liam", "Noah", "Oliver", "Elijah", "James", "William", "Benjamin", "Lucas", "Henry", "Theodore",
	"Jack", "Levi", "Alexander", "Jackson", "Mateo", "Daniel", "Michael", "Mason", "Sebastian", "Ethan",
	"Logan", "Owen", "Samuel", "Jacob", "Asher", "Aiden", "John", "Joseph", "Wyatt", "David", "José",
	"Luis", "Carlos", "Juan", "Miguel", "Diego", "Alejandro", "Mohammed", "Omar", "Ali", "Hassan",
	"Arjun", "Rohan", "Vikram", "Wei", "Hiroshi", "Kenji", "Minh", "Jin-woo", "Chinedu", "Kwame",
	"Oluwaseun", "Seán", "Niall", "Lars", "Björn", "Dmitri", "Ivan", "Robert", "Thomas", "Charles",
	"George", "Kenneth", "Jean-Luc", "François", "Mehmet", "Tariq", "Isaac", "Caleb", "Ezra",
)  # fmt: skip
LAST_NAMES = (
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
	"Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
	"Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez",
	"Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen",
	"Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
	"Carter", "Roberts", "Kim", "Park", "Patel", "Shah", "Singh", "Kumar", "Chen", "Wang", "Li",
	"Zhang", "Tanaka", "Suzuki", "Sato", "Okafor", "Adeyemi", "Mensah", "Mwangi", "O'Brien",
	"O'Connor", "McAllister", "MacDonald", "Murphy", "Kelly", "Schmidt", "Müller", "Novak", "Kowalski",
	"Ivanova", "Petrov", "Rossi", "Russo", "Esposito", "Silva", "Santos", "Oliveira", "Pereira", "Cohen",
	"Levi", "Friedman", "Haddad", "Khalil", "Nasser", "Yilmaz", "Demir", "Andersson", "Johansson",
	"Larsen", "van der Berg", "de la Cruz", "Fitzgerald", "St. John", "Al-Sayed", "Smith-Jones",
	"Nguyen-Tran", "Dubois", "Lefèvre", "Lindqvist", "Papadopoulos", "Horvath", "Brennan", "Okonkwo",
)  # fmt: skip
# (city, state, first three digits of its ZIP codes)
CITIES = (
	("Springfield", "IL", "627"), ("Portland", "OR", "972"), ("Austin", "TX", "787"),
	("Denver", "CO", "802"), ("Madison", "WI", "537"), ("Burlington", "VT", "054"),
	("Boise", "ID", "837"), ("Albany", "NY", "122"), ("Columbus", "OH", "432"),
	("Raleigh", "NC", "276"), ("Tucson", "AZ", "857"), ("Omaha", "NE", "681"),
	("Sacramento", "CA", "958"), ("Richmond", "VA", "232"), ("Savannah", "GA", "314"),
	("Des Moines", "IA", "503"), ("Providence", "RI", "029"), ("Anchorage", "AK", "995"),
	("Honolulu", "HI", "968"), ("Santa Fe", "NM", "875"),
)  # fmt: skip
STREETS = (
	"Maple", "Oak", "Cedar", "Elm", "Washington", "Lincoln", "Park", "Lake", "Hill", "Sunset", "Main",
	"Church", "Mill", "River", "Highland", "Jefferson", "Franklin", "Walnut", "Willow", "Chestnut",
)  # fmt: skip
STREET_KINDS = ("Street", "Avenue", "Road", "Lane", "Drive", "Court", "Way", "Boulevard", "Place")
AREA_CODES = ("212", "312", "415", "503", "512", "602", "617", "702", "720", "808", "907", "919")
ADULT_RELATIONS = ("Carer", "Spouse or Partner", "Child", "Other")


def patient_name(number: int) -> str:
	return f"{DEMO_PREFIX}{number:0{NUMBER_WIDTH}d}"


def account_name(number: int, representative: bool = False) -> str:
	return f"{DEMO_PREFIX}ACC-{number:0{NUMBER_WIDTH}d}{'-R' if representative else ''}"


def invitation_name(number: int, representative: bool = False) -> str:
	return f"{DEMO_PREFIX}INV-{number:0{NUMBER_WIDTH}d}{'-R' if representative else ''}"


def address_name(number: int) -> str:
	return f"{DEMO_PREFIX}ADR-{number:0{NUMBER_WIDTH}d}"


def demo_number(name: str) -> int | None:
	"""The number of a demo patient's name, None for any other name."""
	digits = name[len(DEMO_PREFIX) :] if name.startswith(DEMO_PREFIX) else ""
	return int(digits) if len(digits) == NUMBER_WIDTH and digits.isdigit() else None


def check_patient_count(count: int, next_number: int) -> Reason | None:
	"""None when `count` demo patients may be added from `next_number` on, else why not."""
	if not 1 <= count <= MAX_PATIENTS:
		return Reason(
			"demo_count", _("The number of demo patients must be between 1 and {0}."), (f"{MAX_PATIENTS:,}",)
		)
	if next_number + count - 1 > MAX_NUMBER:
		return Reason(
			"demo_numbers_used",
			_("Only {0} more demo patients fit after the existing ones; remove them first."),
			(f"{max(MAX_NUMBER - next_number + 1, 0):,}",),
		)
	return None


def ascii_slug(text: str) -> str:
	"""Lower-case ASCII letters and digits only: 'Zoë O'Brien' -> 'zoeobrien'."""
	plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
	return re.sub(r"[^a-z0-9]+", "", plain)
