"""Data-entry pages: lists, record pages, edits, actions, history.

Every page requires a login; every record is fetched through
hamlets/permissions.py, so a record outside the user's scope answers 404 and
a write by a read-only role 403, whatever URL is typed.

One module per concern; the names the URLs and other apps use are here.
"""

from .action_pages import (  # noqa: F401
    _perform,
    branch_dissolve,
    branch_found,
    branch_hamlets,
    branch_secretary,
    hamlet_head,
    head_end,
    member_admit,
    member_leave,
    member_recognise,
    member_training,
    member_transfer,
    run_action,
)
from .common import as_of_from, changes_since, describe_history, detail_url, version_of  # noqa: F401
from .editing import (  # noqa: F401
    admissiontarget_create,
    admissiontarget_edit,
    branch_edit,
    branchrating_create,
    branchrating_edit,
    candidate_create,
    candidate_edit,
    edit_record,
    hamlet_create,
    hamlet_edit,
    head_term_correct,
    member_edit,
    membership_correct,
    secretary_correct,
    villagehead_edit,
)
from .history import HISTORY_MODELS, change_log, record_history  # noqa: F401
from .home import home  # noqa: F401
from .jobs import job_detail, job_file, job_list, job_status  # noqa: F401
from .lists import (  # noqa: F401
    ScopedListView,
    admissiontarget_list,
    branch_list,
    branchrating_list,
    candidate_list,
    commune_list,
    hamlet_list,
    list_view,
    member_list,
    villagehead_list,
)
from .records import branch_detail, hamlet_detail, member_detail  # noqa: F401
from .reorganisations import (  # noqa: F401, E402
    reorganisation_apply,
    reorganisation_detail,
    reorganisation_edit,
    reorganisation_list,
    reorganisation_undo,
)
