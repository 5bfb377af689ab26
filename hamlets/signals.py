"""Signals of the registry that other apps listen to.

`records_written` is sent by writers that bypass Model.save() (the import's
bulk writes) with the records they created or changed, so that whoever keeps
something derived from them (reports/versions.py: per-commune figures) can
tell which communes changed."""

from django.dispatch import Signal

records_written = Signal()  # kwargs: records (a list of model instances; None: everything may have changed)
