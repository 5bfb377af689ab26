"""Drawing a cached thing once when many ask for it at the same moment.

A clerk's edit changes the data behind the national dashboard; the next
viewers all find its body missing from the cache, and each of them drew it
again, on the same two cores, at the same time (a stampede). Here the first
takes a short lock in the shared cache and draws; the others wait for its
result (polling the cache) instead of drawing it too. A drawer that dies
leaves a lock that expires; a waiter that has waited `wait_for` seconds
draws for itself.
"""

import time

from django.core.cache import cache

POLL = 0.05  # seconds between two looks at the cache while another process draws


def get_or_draw(key, draw, timeout, wait_for=10.0):
    """cache.get(key), else draw() kept under key for `timeout` seconds."""
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"{key}:drawing"
    deadline = time.monotonic() + wait_for
    while not cache.add(lock, 1, timeout=int(wait_for) + 5):
        time.sleep(POLL)
        value = cache.get(key)
        if value is not None:
            return value  # drawn by the one holding the lock
        if time.monotonic() > deadline:
            return _draw(key, draw, timeout)  # the other drawer is stuck or gone
    try:
        # Drawn and released between our first look and the lock: no need again.
        value = cache.get(key)
        if value is None:
            value = _draw(key, draw, timeout)
        return value
    finally:
        cache.delete(lock)


def _draw(key, draw, timeout):
    value = draw()
    cache.set(key, value, timeout)
    return value
