"""Who may see what: the one place scope is decided.

Every list, page, form choice, export, upload and API call asks here.
"""

from .models import Commune, Role


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
    if role in (Role.ADMIN, Role.PROVINCIAL_VIEWER, Role.PROVINCIAL_APPROVER):
        return Commune.objects.all()
    if role == Role.DISTRICT_STAFF:
        profile = user.profile
        if profile.commune_id:
            return Commune.objects.filter(pk=profile.commune_id)
        return Commune.objects.filter(district_id=profile.district_id)
    return Commune.objects.none()


def can_see_unit(user, unit):
    """Whether `user` may read the figures of a reports Unit."""
    role = role_of(user)
    if role in (Role.ADMIN, Role.PROVINCIAL_VIEWER, Role.PROVINCIAL_APPROVER):
        return True
    if role != Role.DISTRICT_STAFF:
        return False
    profile = user.profile
    if unit.kind == "district":
        return profile.commune_id is None and profile.district_id == unit.pk
    if unit.kind == "commune":
        return visible_communes(user).filter(pk=unit.pk).exists()
    return False
