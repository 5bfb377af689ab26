"""Names are searchable without diacritics and case, on SQLite and PostgreSQL."""

import datetime

import pytest
from django.db import connection

from coverage_site.lib.text import fold
from hamlets.models import Commune, Hamlet, Member, VillageHead

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    commune = Commune.objects.create(code="C1", name="Quỳnh Thanh")
    hamlet = Hamlet.objects.create(code="H1", name="Thôn Đông Hồ", commune=commune)
    for code, name in [("M1", "Nguyễn Văn Đức"), ("M2", "NGUYỄN THỊ HOA"), ("M3", "Trần Văn Nguyên")]:
        Member.objects.create(
            code=code,
            full_name=name,
            gender="male",
            birth_date=datetime.date(1970, 1, 1),
            admitted_on=datetime.date(1995, 1, 1),
        )
    VillageHead.objects.create(
        code="V1", hamlet=hamlet, full_name="Đặng Đình Lực", term_start=datetime.date(2014, 6, 1)
    )
    return hamlet


def test_fold_removes_marks_and_case():
    assert fold("  Nguyễn   Văn ĐỨC ") == "nguyen van duc"


@pytest.mark.parametrize("query", ["nguyen", "NGUYEN", "Nguyễn", "nguyễn"])
def test_member_search_ignores_diacritics_and_case(people, query):
    found = set(Member.objects.search(query).values_list("code", flat=True))
    assert found == {"M1", "M2", "M3"}


def test_several_words_must_all_match_in_any_order(people):
    assert list(Member.objects.search("nguyen van").values_list("code", flat=True)) == ["M1", "M3"]
    assert list(Member.objects.search("nguyen duc").values_list("code", flat=True)) == ["M1"]
    assert list(Member.objects.search("van duc").values_list("code", flat=True)) == ["M1"]
    assert not Member.objects.search("nguyen xuan").exists()


def test_other_names_are_searchable_too(people):
    assert list(Hamlet.objects.search("dong ho").values_list("code", flat=True)) == ["H1"]
    assert list(VillageHead.objects.search("dang dinh luc").values_list("code", flat=True)) == ["V1"]


def test_renaming_refreshes_the_search_key(people):
    member = Member.objects.get(code="M3")
    member.full_name = "Hồ Sỹ Lâm"
    member.save()
    assert list(Member.objects.search("ho sy lam").values_list("code", flat=True)) == ["M3"]


def test_names_with_the_words_in_the_typed_order_come_first(people):
    Member.objects.create(
        code="M4",
        full_name="Văn Nguyễn Tâm",
        gender="male",
        birth_date=datetime.date(1970, 1, 1),
        admitted_on=datetime.date(1995, 1, 1),
    )
    found = list(Member.objects.search("van nguyen").best_matches_first("van nguyen").values_list("code", flat=True))
    assert found == ["M3", "M4", "M1"]  # "…văn nguyên", "văn nguyễn…" in order, then "nguyễn văn…"
    found = list(Member.objects.search("nguyen van").best_matches_first("nguyen van").values_list("code", flat=True))
    assert found == ["M1", "M3", "M4"]  # Nguyễn Văn Đức first; the others by name


def test_the_stored_sort_key_orders_as_vietnamese_dictionaries_do():
    from coverage_site.lib.text import vietnamese_key, vietnamese_sort_key

    names = ["Quỳnh Yên", "Quỳnh Đôi", "Quỳnh Bảng", "Quỳnh Bá", "Quỳnh Diễn", "Xóm 10", "Xóm 2", "Ba Na", "Bà", "Ba"]
    assert sorted(names, key=vietnamese_sort_key) == sorted(names, key=vietnamese_key)
    assert sorted(names, key=vietnamese_sort_key) == [
        "Ba",
        "Bà",
        "Ba Na",
        "Quỳnh Bá",
        "Quỳnh Bảng",
        "Quỳnh Diễn",
        "Quỳnh Đôi",
        "Quỳnh Yên",
        "Xóm 2",
        "Xóm 10",
    ]
    assert set(vietnamese_sort_key("Quỳnh Đôi")) <= set("0123456789")


def test_lists_are_in_vietnamese_alphabetical_order(client, people):
    from django.urls import reverse

    from .conftest import make_user

    commune = Commune.objects.get(code="C1")
    for code, name in [("H2", "Xóm 10"), ("H3", "Xóm 2"), ("H4", "Đồng Xuân"), ("H5", "Dương Xá")]:
        Hamlet.objects.create(code=code, name=name, commune=commune)
    client.force_login(make_user("viewer", "provincial_viewer"))
    page = client.get(reverse("hamlets:hamlet_list")).content.decode()
    positions = [page.index(f">{name}<") for name in ["Dương Xá", "Đồng Xuân", "Thôn Đông Hồ", "Xóm 2", "Xóm 10"]]
    assert positions == sorted(positions)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a PostgreSQL index (pg_trgm)")
def test_postgresql_searches_member_names_through_a_trigram_index(people):
    """The migration's index exists and the planner can use it for a search
    (other scans disabled, so the answer does not depend on table size)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'hamlets_member_name_folded_trgm'")
        (definition,) = cursor.fetchone()
        assert "gin_trgm_ops" in definition
        # Plain index scans off too: with the table's statistics of a small
        # test database, a full scan of the code index (the default order)
        # with the test as a filter can cost less than the lookup.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = Member.objects.search("nguyen van").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "hamlets_member_name_folded_trgm" in plan
    # Every word, in any order: Trần Văn Nguyên too (best_matches_first puts M1 first).
    assert sorted(Member.objects.search("nguyen van").values_list("code", flat=True)) == ["M1", "M3"]


def test_a_search_matching_very_many_lists_the_first_found_and_says_so(client, people, monkeypatch):
    """Beyond SEARCH_SHOWN_LIMIT matches the list shows that many, best
    matches first, and says so; a narrower search is counted as before, and
    the file of the same search holds every match."""
    from django.urls import reverse

    from hamlets.views import lists

    from .conftest import make_user

    monkeypatch.setattr(lists, "SEARCH_SHOWN_LIMIT", 2)
    client.force_login(make_user("viewer", "provincial_viewer"))
    url = reverse("hamlets:member_list")
    page = client.get(url, {"q": "nguyen"}).content.decode()
    assert "Hơn 2 bản ghi khớp: chỉ hiện 2 bản ghi đầu tiên tìm thấy" in page
    assert sum(f"/members/{code}/" in page for code in ("M1", "M2", "M3")) == 2
    page = client.get(url, {"q": "nguyen van"}).content.decode()
    assert "Hơn 2" not in page and "2 bản ghi" in page
    assert "/members/M1/" in page and "/members/M3/" in page
    exported = client.get(url, {"q": "nguyen", "_export": "csv"}).content.decode("utf-8-sig")
    assert all(name in exported for name in ("Nguyễn Văn Đức", "NGUYỄN THỊ HOA", "Trần Văn Nguyên"))
