from hamlets.models import Role
from hamlets.permissions import can_edit, role_label, role_of


def navigation(request):
    """What the navigation bar needs to know about the user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = role_of(user)
    return {
        "nav_role": role,
        "nav_role_label": role_label(user),
        "nav_can_edit": can_edit(user),
        "nav_is_admin": role == Role.ADMIN,
    }
