"""The client's address, for the login throttle and its audit log.

REMOTE_ADDR is the address that connected. Behind a reverse proxy that is
the proxy, and the client's own address is in X-Forwarded-For, which anyone
can also send. So the header is read only when the request came from one of
the proxies named in TRUSTED_PROXIES (settings, from the environment), and
then its last address not itself a trusted proxy is the client's.
"""

from django.conf import settings


def client_address(request):
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    if not trusted or remote not in trusted:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address
    return remote
