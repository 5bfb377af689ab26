"""Every figure of spec/indicators.md, defined once and computed for all consumers.

How it works
------------
Each indicator counts rows of one *level*: hamlets, branches, members (their
active memberships) or admissions (first memberships).

* `StateReader` reads the states of indicators.md ("States at a date D") for
  some communes at one or several dates with a fixed number of queries: the
  dated records (hamlets, branches, links, terms, ratings, targets) are loaded
  once and tested per date in Python; what is counted per member is counted
  by the database, one conditional count per date, in one pass. A `Snapshot`
  is one date's hamlet and branch rows (small dicts) and per-commune counts.
* An indicator's numerator and denominator are predicates over a hamlet or
  branch row, or `Q` objects over active memberships for member indicators.
  The same predicate counts the figure and selects the drill-down rows, so
  the drill-down has exactly `numerator` rows by construction.
* Figures are kept per commune; a unit, and each child unit of a breakdown, is
  the sum over its communes, so children add up to the parent by construction.
* Per-hamlet and per-branch status (coverage, at-risk conditions) read the
  same rows.

One module per concern (catalogue, units, states, compute, drilldown,
arguments, status, cache); every name callers use is imported here.
"""

from hamlets.querysets import SPECIAL_AREA  # noqa: F401 - callers import it from here

from .arguments import BadArgument, compute_from_arguments, parse_arguments  # noqa: F401
from .by_commune import CommuneFigures, cached_figures, cached_snapshots, snapshot_of, unit_figures  # noqa: F401
from .cache import _cache_key, compute_many, compute_many_cached, data_version  # noqa: F401
from .catalogue import (  # noqa: F401
    DEFINITIONS_EN,
    ENDED_PARTY_MEMBERSHIP,
    INDICATOR_BY_KEY,
    INDICATORS,
    KEYS,
    Indicator,
    _english,
    at_risk_settings,
    elderly_q,
    full_q,
)
from .compute import _as_json, _sum, child_units, compute  # noqa: F401
from .drilldown import Coverage, denominator_rows, hamlet_coverage, numerator_rows  # noqa: F401
from .states import (  # noqa: F401
    MEMBER_COUNTS,
    UNIT_DATES,
    Snapshot,
    StateReader,
    active_membership_q,
    admission_rows,
    admitted_q,
    at_risk_conditions,
    first_memberships,
    member_rows,
    recent_window_start,
    risk_text,
)
from .status import branch_state_ids, hamlet_coverage_ids  # noqa: F401
from .units import (  # noqa: F401
    Unit,
    UnknownArea,
    UnknownUnit,
    check_area,
    get_unit,
    parse_unit,
    province_name,
    root_unit,
    several_provinces,
    unit_communes,
)
