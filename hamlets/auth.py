"""Login, throttled by django-axes.

Failed attempts are counted per user name (settings.AXES_LOCKOUT_PARAMETERS),
not per address: behind a reverse proxy every request has the proxy's
address, and five wrong passwords for one account must not lock out the
whole province. Every attempt is kept (axes' access log) for the
administrators.

Concurrent guesses: axes checks the count, then the password, then records
the failure. Thirty guesses sent at once would all pass the check before the
first is recorded, so each attempt for an existing account runs while
holding that account's row lock; the next one then sees the failure before
it is evaluated.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext as _


def throttled_message():
    return _("Đăng nhập sai quá nhiều lần. Hãy thử lại sau %(minutes)d phút.") % {
        "minutes": settings.LOGIN_FAILURE_WINDOW // 60
    }


class SerialisedAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = (self.data.get("username") or "").strip()
        with transaction.atomic():
            list(get_user_model().objects.select_for_update().filter(username=username).values_list("pk"))
            try:
                return super().clean()
            except ValidationError as exc:
                # Raised outside the block, so that the failure axes has just
                # recorded is committed, not rolled back with the error.
                refused = exc
        raise refused


class ThrottledLoginView(LoginView):
    form_class = SerialisedAuthenticationForm
    redirect_authenticated_user = True


def lockout_response(request, original_response=None, credentials=None):
    """What axes answers once an account is locked: the login page with the
    reason, status 429."""
    form = SerialisedAuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    return render(request, "registration/login.html", {"form": form, "throttled": throttled_message()}, status=429)
