"""The registry's querysets: who may see and edit which rows (`visible_to`,
`editable_by`), what was active on a date (`active_on`), and the search that
ignores case and diacritics. hamlets/models.py attaches them to the models.

Written once here so that every list, form, export and indicator asks the
same question the same way (docs/design.md).
"""

from django.apps import apps
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Lower

from coverage_site.lib.text import fold


def _model(name):
    """A registry model by name: the models import this module, so it cannot import them."""
    return apps.get_model("hamlets", name)


def active_q(day, start, end, *, start_required=True, prefix=""):
    """Rows whose half-open period [start, end) contains `day` (indicators.md,
    "States at a date D"). Every `active_on()` below is this, once per model;
    coverage_site.lib.dates.is_active is the same test in Python."""
    started = Q(**{f"{prefix}{start}__lte": day})
    if not start_required:
        started |= Q(**{f"{prefix}{start}__isnull": True})
    return started & (Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gt": day}))


class ScopedQuerySet(models.QuerySet):
    """`visible_to(user)` / `editable_by(user)`: rows inside the user's scope.

    `commune_path` is the lookup from the model to its commune; the decision
    of which communes a user may see is hamlets/permissions.py's.

    Parents are dated (hamlets/lineage.py): a commune's staff read what was
    theirs at any time (`in_communes`, through the unit the record hangs on,
    `dated_unit`), but edit only what their communes hold today (`held_by`).
    """

    commune_path = "commune"
    # (kind of placement, lookup from the model to that unit) for in_communes; None: the path alone.
    dated_unit = None

    def held_by(self, communes):
        """Rows whose unit belongs to one of `communes` today."""
        return self.filter(**{f"{self.commune_path}__in": communes})

    def in_communes(self, communes):
        """Rows whose unit belongs, or once belonged, to one of `communes`."""
        if self.dated_unit is None:
            return self.held_by(communes)
        # The records moved away from the communes as a short list of ids
        # (ever_under_filter): with an EXISTS per row PostgreSQL scanned all
        # 94,000 branches of a national installation for one commune (0.1 s).
        from .placement import ever_under_filter

        kind, path = self.dated_unit
        model = _model({"hamlet": "Hamlet", "branch": "Branch"}[kind])
        if path == "pk":
            return self.filter(ever_under_filter(kind, communes))
        return self.filter(**{f"{path}__in": model.objects.filter(ever_under_filter(kind, communes)).values("pk")})

    def visible_to(self, user):
        from .permissions import sees_everything, visible_communes

        if sees_everything(user):
            return self.all()  # the whole province: no scope filter for the database to evaluate
        return self.in_communes(visible_communes(user))

    def editable_by(self, user):
        from .permissions import can_edit, visible_communes

        return self.held_by(visible_communes(user)) if can_edit(user) else self.none()


TRIGRAM = 3  # the shortest word a trigram index can look up


class SearchQuerySet(ScopedQuerySet):
    folded_field = "name_folded"

    def search(self, text):
        """Rows whose name contains `text`, ignoring case and diacritics."""
        words = fold(text).split()
        qs = self
        for word in words:
            if len(word) < TRIGRAM:
                # PostgreSQL's trigram index (migration 0006) has nothing to
                # look up for a word this short and would read the whole index
                # (260 ms for "le", against 90 ms scanning the rows): the same
                # test through LOWER(), which the index does not serve. The
                # folded names are lower-case already, so it finds the same rows.
                qs = qs.alias(folded_lower=Lower(self.folded_field)).filter(folded_lower__contains=word)
            else:
                qs = qs.filter(**{f"{self.folded_field}__contains": word})
        return qs

    def best_matches_first(self, text):
        """Names with the typed words in the typed order first ("nguyen van"
        puts Nguyễn Văn Đức before Trần Văn Nguyên), then by name (domain.md)."""
        phrase = " ".join(fold(text).split())
        in_order = Case(When(**{f"{self.folded_field}__contains": phrase}, then=Value(0)), default=Value(1))
        return self.annotate(match_rank=in_order).order_by("match_rank", "name_sort", "pk")


class UnitQuerySet(SearchQuerySet):
    def search(self, text):
        """Units whose name, or a former name (a rename), contains `text`."""
        level = self.model._meta.model_name
        qs = self
        for word in fold(text).split():
            renamed = _model("LineageLink").objects.filter(
                **{f"to_{level}": models.OuterRef("pk")}, former_name_folded__contains=word
            )
            qs = qs.filter(Q(name_folded__contains=word) | models.Exists(renamed))
        return qs

    def in_communes(self, communes):
        """Districts of the communes (communes and hamlets override this)."""
        return self.filter(pk__in=communes.values("district_id"))

    def held_by(self, communes):
        return self.in_communes(communes)

    def active_on(self, day):
        return self.filter(active_q(day, "established_on", "dissolved_on", start_required=False))


SPECIAL_AREA = "special"


class HamletQuerySet(UnitQuerySet):
    dated_unit = ("hamlet", "pk")

    def in_communes(self, communes):
        return ScopedQuerySet.in_communes(self, communes)

    def held_by(self, communes):
        return ScopedQuerySet.held_by(self, communes)

    def in_area(self, area):
        """Hamlets of an area type, or of any when `area` is "special".

        Exists rather than a join, so a hamlet with several types counts once."""
        types = _model("Hamlet").area_types.through.objects.filter(hamlet_id=models.OuterRef("pk"))
        if area != SPECIAL_AREA:
            types = types.filter(areatype__code=area)
        return self.filter(models.Exists(types))


class CommuneQuerySet(UnitQuerySet):
    commune_path = "pk"

    def in_communes(self, communes):
        return self.filter(pk__in=communes.values("pk"))


class BranchQuerySet(SearchQuerySet):
    dated_unit = ("branch", "pk")

    def active_on(self, day):
        return self.filter(active_q(day, "established_on", "dissolved_on"))


# A member scope of up to this many hamlets (a commune or a few) and members
# is a list of ids; beyond it, a subquery (MemberQuerySet.in_communes). The
# second bound keeps a query under SQLite's 32,766 parameters.
MEMBER_ID_LIST_HAMLETS = 300
MEMBER_ID_LIST_LIMIT = 20_000


class MemberQuerySet(SearchQuerySet):
    folded_field = "name_folded"

    def held_by(self, communes):
        """Members living in, or ever attending a branch of, the communes' units of today."""
        attended = _model("Membership").objects.filter(member_id=models.OuterRef("pk"), branch__commune__in=communes)
        return self.filter(Q(residence_hamlet__commune__in=communes) | models.Exists(attended))

    def in_communes(self, communes):
        """Members living in, or ever attending a branch of, a unit that was ever the communes'."""
        # The hamlets' and branches' ids first (a few dozen to a few hundred):
        # with them as lists the database looks members and memberships up by
        # index. As one query with OR and EXISTS it scanned every member and
        # membership of the province (180 ms for one commune's list); with OR
        # of two id conditions it still scanned every member (75 ms), so the
        # two id sets are one UNION that the members are looked up from (31 ms).
        # A commune's few thousand members are then fetched by id: with the
        # UNION as a subquery PostgreSQL hashed it against every member of the
        # province (a list page's count and rows: 85 ms of SQL; by id: 48 ms).
        hamlet_ids = list(_model("Hamlet").objects.in_communes(communes).values_list("pk", flat=True))
        branch_ids = list(_model("Branch").objects.in_communes(communes).values_list("pk", flat=True))
        residents = _model("Member").objects.filter(residence_hamlet_id__in=hamlet_ids).order_by().values("pk")
        attended = _model("Membership").objects.filter(branch_id__in=branch_ids).order_by().values("member_id")
        members = residents.union(attended)
        if len(hamlet_ids) <= MEMBER_ID_LIST_HAMLETS:
            ids = list(members.values_list("pk", flat=True))
            if len(ids) <= MEMBER_ID_LIST_LIMIT:
                return self.filter(pk__in=ids)
        return self.filter(pk__in=members)

    def with_current_branch(self):
        """current_branch / current_commune: names of the branch of the open
        membership (the latest one), in the same query (for lists)."""
        current = (
            _model("Membership")
            .objects.filter(member_id=models.OuterRef("pk"), left_on__isnull=True)
            .order_by("-joined_on")
        )
        return self.annotate(
            current_branch=models.Subquery(current.values("branch__name")[:1]),
            current_commune=models.Subquery(current.values("branch__commune__name")[:1]),
        )


class MembershipQuerySet(ScopedQuerySet):
    commune_path = "branch__commune"
    dated_unit = ("branch", "branch")

    def active_on(self, day):
        return self.filter(active_q(day, "joined_on", "left_on"))


class SecretaryTermQuerySet(ScopedQuerySet):
    commune_path = "branch__commune"
    dated_unit = ("branch", "branch")

    def active_on(self, day):
        return self.filter(active_q(day, "start_on", "end_on"))


class VillageHeadQuerySet(SearchQuerySet):
    folded_field = "name_folded"
    commune_path = "hamlet__commune"
    dated_unit = ("hamlet", "hamlet")

    def active_on(self, day):
        return self.filter(active_q(day, "term_start", "term_end"))


class BranchScopedQuerySet(ScopedQuerySet):
    commune_path = "branch__commune"
    dated_unit = ("branch", "branch")


class CandidateQuerySet(SearchQuerySet):
    commune_path = "hamlet__commune"
    dated_unit = ("hamlet", "hamlet")
