"""get_or_draw (coverage_site/lib/single_flight.py): what many ask for at
once is drawn once; the others wait for it; a lock left by a drawer that
died does not block for ever."""

import threading

import pytest
from django.core.cache import cache

from coverage_site.lib.single_flight import get_or_draw

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "single-flight"}}


@pytest.fixture(autouse=True)
def local_cache(settings):
    settings.CACHES = {**settings.CACHES, **LOCAL}  # shared by this process's threads
    cache.clear()


def test_drawn_once_then_read():
    drawn = []
    assert get_or_draw("k", lambda: drawn.append(1) or "body", 60) == "body"
    assert get_or_draw("k", lambda: drawn.append(1) or "other", 60) == "body"
    assert drawn == [1] and cache.get("k:drawing") is None


def test_while_another_draws_the_same_it_waits_for_theirs():
    assert cache.add("k:drawing", 1)  # somebody else is drawing
    threading.Timer(0.2, lambda: cache.set("k", "theirs")).start()

    def mine():
        raise AssertionError("drawn twice")

    assert get_or_draw("k", mine, 60) == "theirs"


def test_a_lock_nobody_releases_is_waited_on_only_so_long():
    assert cache.add("k:drawing", 1)  # a drawer that died
    assert get_or_draw("k", lambda: "mine", 60, wait_for=0.2) == "mine"
    assert cache.get("k") == "mine"


def test_a_failed_drawing_releases_the_lock():
    def broken():
        raise ValueError("hỏng")

    with pytest.raises(ValueError):
        get_or_draw("k", broken, 60)
    assert cache.get("k:drawing") is None
    assert get_or_draw("k", lambda: "next", 60) == "next"
