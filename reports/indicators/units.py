"""The units figures are about (the installation, province, district,
commune), their communes at a date, the area filter.

`province:all` names the whole installation, whatever it holds: one province
(as before provinces were units; no province level is shown) or several (a
national installation, whose children are its provinces). A province of a
national installation is `province:<code>`.
"""

from dataclasses import dataclass

from django.conf import settings

from hamlets.models import AreaType, Commune, District, Province
from hamlets.placement import communes_active_under, communes_of_district, communes_of_province
from hamlets.querysets import SPECIAL_AREA

ROOT_CODE = "all"

# --- scope ---------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    kind: str  # province | district | commune
    code: str
    name: str
    pk: int | None = None

    def as_json(self):
        return {"kind": self.kind, "code": self.code, "name": self.name}

    @property
    def is_root(self):
        """The whole installation (`province:all`): every commune, always."""
        return self.kind == "province" and self.code == ROOT_CODE


class UnknownUnit(ValueError):
    pass


class UnknownArea(ValueError):
    pass


def several_provinces():
    """Whether the installation holds several provinces (now or in its past:
    after the 2025 mergers a province's predecessors are still reported on).
    With one, no page shows a province level or picker."""
    return Province.objects.count() > 1


def province_name():
    """The name of the whole installation: NATIONAL_NAME with several
    provinces, PROVINCE_NAME with one."""
    return settings.NATIONAL_NAME if several_provinces() else settings.PROVINCE_NAME


def root_unit():
    return Unit("province", ROOT_CODE, province_name())


def get_unit(kind, code):
    """The Unit for KIND:CODE, or UnknownUnit."""
    if kind == "province" and code == ROOT_CODE:
        return root_unit()
    model = {"province": Province, "district": District, "commune": Commune}.get(kind)
    if model is None:
        raise UnknownUnit(f"{kind}:{code}")
    obj = model.objects.filter(code=code).first()
    if obj is None:
        raise UnknownUnit(f"{kind}:{code}")
    return Unit(kind, obj.code, obj.name, obj.pk)


def parse_unit(text):
    kind, sep, code = (text or "").partition(":")
    if not sep:
        raise UnknownUnit(text)
    return get_unit(kind, code)


def check_area(area):
    if area in (None, "", SPECIAL_AREA):
        return area or None
    if not AreaType.objects.filter(code=area).exists():
        raise UnknownArea(area)
    return area


def unit_commune_pks(unit, day):
    """The pks of unit_communes(unit, day), as a set, from what is read once
    per reading request (coverage_site/lib/read_memo.py) rather than a query
    per date: a cached province dashboard spent two thirds of its time
    asking which communes it showed on each of its dates."""
    from coverage_site.lib.dates import is_active
    from coverage_site.lib.read_memo import remembered

    if unit.kind == "province" and not unit.is_root:
        return set(communes_active_under("commune_province", unit.pk, day))
    if unit.kind == "district":
        return set(communes_active_under("commune", unit.pk, day))
    if unit.kind == "commune":
        communes = Commune.objects.filter(pk=unit.pk)
        key = ("commune_periods", unit.pk)
    else:
        communes, key = Commune.objects.all(), ("commune_periods",)
    rows = communes.values_list("pk", "established_on", "dissolved_on")
    periods = remembered(key, lambda: {pk: (start, end) for pk, start, end in rows})
    return {pk for pk, (start, end) in periods.items() if is_active(start, end, day)}


def unit_communes(unit, day):
    """The communes a unit's figures cover at `day`: its active communes."""
    communes = Commune.objects.active_on(day)
    if unit.kind == "province" and not unit.is_root:
        # The province's communes on that day (the 2025 mergers moved them).
        communes = communes.filter(pk__in=communes_of_province(unit.pk, day))
    elif unit.kind == "district":
        # The district's communes on that day, not today (dated parents).
        communes = communes.filter(pk__in=communes_of_district(unit.pk, day))
    elif unit.kind == "commune":
        # Active on that day, like a district's: a commune founded in the
        # 2025 mergers has no figures of 2024 (reading them found nothing, at
        # the cost of a reading, on every commune dashboard's goals band).
        communes = communes.filter(pk=unit.pk)
    return communes
