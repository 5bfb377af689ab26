"""The units figures are about (province, district, commune), their communes at a date, the area filter."""

from dataclasses import dataclass

from django.conf import settings

from hamlets.models import AreaType, Commune, District
from hamlets.placement import communes_of_district
from hamlets.querysets import SPECIAL_AREA

# --- scope ---------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    kind: str  # province | district | commune
    code: str
    name: str
    pk: int | None = None

    def as_json(self):
        return {"kind": self.kind, "code": self.code, "name": self.name}


class UnknownUnit(ValueError):
    pass


class UnknownArea(ValueError):
    pass


def province_name():
    return getattr(settings, "PROVINCE_NAME", "Toàn tỉnh")


def get_unit(kind, code):
    """The Unit for KIND:CODE, or UnknownUnit."""
    if kind == "province":
        if code != "all":
            raise UnknownUnit(f"province:{code}")
        return Unit("province", "all", province_name())
    model = {"district": District, "commune": Commune}.get(kind)
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


def unit_communes(unit, day):
    """The communes a unit's figures cover at `day`: its active communes."""
    communes = Commune.objects.active_on(day)
    if unit.kind == "district":
        # The district's communes on that day, not today (dated parents).
        communes = communes.filter(pk__in=communes_of_district(unit.pk, day))
    elif unit.kind == "commune":
        communes = Commune.objects.filter(pk=unit.pk)
    return communes
