# English pages keep the day-first dates of the Vietnamese ones (no month-first
# ambiguity) with English number marks.
from coverage_site.formats.vi.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
