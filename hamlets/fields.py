"""Text fields kept in step with another field: for search and Vietnamese order."""

from django.db import models

from coverage_site.lib.text import fold, vietnamese_sort_key


class FoldedField(models.CharField):
    """Diacritic-free, lower-case copy of another text field, kept for search.

    Filled on every save() and bulk_create() from `source`, so no caller has to
    remember it.
    """

    def __init__(self, *args, source="name", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = self.value_for(model_instance)
        setattr(model_instance, self.attname, value)
        return value

    def value_for(self, model_instance):
        """The value from the source, without setting it (bulk writers)."""
        return fold(getattr(model_instance, self.source))


class SortKeyField(FoldedField):
    """The Vietnamese sort key of another text field (coverage_site.lib.text.
    vietnamese_sort_key): lists order by it on both databases."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("db_index", False)
        super().__init__(*args, **kwargs)

    def value_for(self, model_instance):
        return vietnamese_sort_key(getattr(model_instance, self.source))
