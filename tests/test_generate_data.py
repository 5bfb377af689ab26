"""The benchmark generator writes valid, reproducible data."""

import pytest

from hamlets.exchange import import_path
from hamlets.management.commands.generate_data import generate
from hamlets.models import Member

pytestmark = pytest.mark.django_db


def test_same_seed_same_data_and_it_imports(tmp_path):
    from django.core.management import call_command

    call_command(
        "generate_data",
        str(tmp_path / "a"),
        "--communes=3",
        "--hamlets=25",
        "--branches=27",
        "--members=400",
        "--seed=7",
    )
    call_command(
        "generate_data",
        str(tmp_path / "b"),
        "--communes=3",
        "--hamlets=25",
        "--branches=27",
        "--members=400",
        "--seed=7",
    )
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
    result = import_path(tmp_path / "a")
    assert result.ok, result.errors[:3]
    assert Member.objects.count() == 400


def test_a_different_seed_gives_different_data():
    one = generate(seed=1, communes=2, hamlets=10, branches=11, members=50)
    two = generate(seed=2, communes=2, hamlets=10, branches=11, members=50)
    assert one["members"] != two["members"]
