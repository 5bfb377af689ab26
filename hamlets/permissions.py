"""Who may see what: the one place scope is decided.

Every list, page, form choice, export, upload and API call asks here.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Commune, Role
from .placement import ever_under_q


def role_of(user):
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def visible_communes(user):
    """The communes whose records `user` may see (none for anonymous users or
    accounts without a role)."""
    role = role_of(user)
    if role in READ_ALL:
        province_id = own_province_id(user)
        if province_id is None:
            return Commune.objects.all()
        # Every commune that was ever in the province: after a merger its
        # officials still read the predecessors' past.
        return Commune.objects.filter(ever_under_q("commune_province", [province_id]))
    if role == Role.DISTRICT_STAFF:
        profile = user.profile
        if profile.commune_id:
            return Commune.objects.filter(pk=profile.commune_id)
        # Every commune that was ever in the district (dated parents): after
        # the district is abolished its staff still read its past; they edit
        # only what its communes hold today (ScopedQuerySet.held_by).
        return Commune.objects.filter(ever_under_q("commune", [profile.district_id]))
    return Commune.objects.none()


READ_ALL = (Role.ADMIN, Role.PROVINCIAL_VIEWER, Role.PROVINCIAL_APPROVER)


def own_province_id(user):
    """The province a provincial account is limited to, or None (the whole
    installation: a national viewer, an administrator, any provincial
    account of a one-province installation)."""
    if role_of(user) in (Role.PROVINCIAL_VIEWER, Role.PROVINCIAL_APPROVER):
        return user.profile.province_id
    return None


def sees_everything(user):
    """Whether `user` reads the whole installation (no scope filter is needed)."""
    return role_of(user) in READ_ALL and own_province_id(user) is None


def role_label(user):
    """How the interface names a user's role; a commune account is "cán bộ xã"."""
    from django.utils.translation import gettext as _

    role = role_of(user)
    if role is None:
        return ""
    if role == Role.DISTRICT_STAFF and user.profile.commune_id:
        return _("cán bộ xã (nhập liệu)")
    return str(Role(role).label)


def can_edit(user):
    """Whether `user` may change registry records (within their scope)."""
    return role_of(user) in (Role.ADMIN, Role.DISTRICT_STAFF)


def can_approve(user):
    return role_of(user) in (Role.ADMIN, Role.PROVINCIAL_APPROVER)


def get_visible_or_404(user, queryset, **lookup):
    """The record, if `user` may see it; 404 otherwise (whatever URL they type)."""
    return get_object_or_404(queryset.visible_to(user), **lookup)


def get_editable_or_403(user, queryset, **lookup):
    """The record, if `user` may change it: 404 outside the scope, 403 for a
    read-only role."""
    obj = get_visible_or_404(user, queryset, **lookup)
    # A record of a unit that has moved to another commune stays readable by
    # the giving commune's staff, but only the unit holding it today edits it.
    if not can_edit(user) or not queryset.editable_by(user).filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj


def require_editor(user):
    if not can_edit(user):
        raise PermissionDenied


def commune_scope_codes(user):
    """For the import engine: None (everything) or the codes of the user's communes."""
    if role_of(user) == Role.ADMIN:
        return None
    return set(visible_communes(user).values_list("code", flat=True))


def home_unit(user):
    """(kind, code) of a district-staff account's own unit, else None: where
    its dashboard and monthly summary are."""
    if role_of(user) != Role.DISTRICT_STAFF:
        return None
    profile = user.profile
    if profile.commune_id:
        return "commune", profile.commune.code
    return "district", profile.district.code


def top_unit(user):
    """(kind, code) of the widest unit `user` reads: a clerk's own unit, a
    provincial account's province, else the whole installation."""
    if own_province_id(user) is not None:
        return "province", user.profile.province.code
    return home_unit(user) or ("province", "all")


def readable_units(user):
    """{"district": codes, "commune": codes} of the units whose figures
    `user` may read (can_see_unit, for many units at once: a few queries
    whatever their number), or None for every unit."""
    if sees_everything(user):
        return None
    from .lineage import ParentChange

    communes = visible_communes(user)
    found = {"commune": set(communes.values_list("code", flat=True)), "district": set()}
    if own_province_id(user) is not None:
        # A district with a commune that is, or once was, in it (ever_under_q("commune") turned round).
        found["district"] = set(communes.exclude(district=None).values_list("district__code", flat=True)) | set(
            ParentChange.objects.filter(commune__in=communes, old_district__isnull=False).values_list(
                "old_district__code", flat=True
            )
        )
    elif role_of(user) == Role.DISTRICT_STAFF and user.profile.commune_id is None:
        found["district"] = {user.profile.district.code}
    return found


def can_see_unit(user, unit):
    """Whether `user` may read the figures of a reports Unit."""
    if sees_everything(user):
        return True
    province_id = own_province_id(user)
    if province_id is not None:
        if unit.kind == "province":
            return unit.pk == province_id
        # A district is theirs when one of its communes ever was in the province.
        communes = visible_communes(user)
        if unit.kind == "district":
            return communes.filter(ever_under_q("commune", [unit.pk])).exists()
        return communes.filter(pk=unit.pk).exists()
    if role_of(user) != Role.DISTRICT_STAFF:
        return False
    profile = user.profile
    if unit.kind == "district":
        return profile.commune_id is None and profile.district_id == unit.pk
    if unit.kind == "commune":
        return visible_communes(user).filter(pk=unit.pk).exists()
    return False
