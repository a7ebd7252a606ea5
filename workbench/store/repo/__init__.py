"""The workflow's queries, one module per concern (people, clips, tasks, segments, grades,
audit_log); ``repo.name`` reaches every one of them. The workflow layer calls these with a
session from ``Store`` and never builds SQL itself; rows come back as the ORM objects of
``models`` (docs/architecture.md, "Store style").

Concurrency lives here: claims and review starts are conditional UPDATEs that check the
row count (on PostgreSQL the candidate is also picked with ``FOR UPDATE SKIP LOCKED``),
and saves bump a segment's version only if it still has the caller's base version.
"""

from __future__ import annotations

from workbench.store.repo._common import (  # noqa: F401 - the package is the one name callers use
    is_postgres,
    HELD_STATES,
)
from workbench.store.repo.people import (  # noqa: F401 - the package is the one name callers use
    user_by_username,
    actor_row,
    users_by_id,
    all_users,
    first_admin,
    user_count,
    last_login_succeeded,
    forget_login_attempts,
    locked_buckets,
    buckets,
    forget_buckets_idle_since,
    pending_application_counts,
    applications,
    users_who_took_tasks,
    tasks_ever_taken,
    session_user,
    session_actor_row,
    revoke_session,
    revoke_user_sessions,
    delete_expired_sessions,
)
from workbench.store.repo.lifecycle import (  # noqa: F401 - the package is the one name callers use
    lock_content_hash,
    clip_with_content,
    listed_clips,
    people_worked_on,
    transcribed_since,
    transcribing_seconds_since,
)
from workbench.store.repo.clips import (  # noqa: F401 - the package is the one name callers use
    get_clip,
    clip_project,
    all_clips,
    clips_waiting_since,
    clips_drafting_still_since,
    clips_with_lease_expired,
    clips_with_live_lease,
    tasks_by_clip,
    live_segment_counts,
    live_durations,
    returned_comments,
    summary_rows,
    live_segment_totals,
)
from workbench.store.repo.tasks import (  # noqa: F401 - the package is the one name callers use
    get_task,
    tasks_where,
    tasks_held_by,
    held_task_counts,
    held_task_count,
    open_task_count,
    held_tasks,
    claim_open_task,
    take_for_review,
    review_candidates,
)
from workbench.store.repo.segments import (  # noqa: F401 - the package is the one name callers use
    live_segments,
    media_row,
    get_segment,
    segment_for_change,
    bump_version,
    revisions_of,
    latest_revision,
    heard_spans,
    sent_spans,
    listening_clock,
    lock_user,
    reviewed_texts,
)
from workbench.store.repo.saves import (  # noqa: F401 - the package is the one name callers use
    segment_to_save,
    latest_revision_row,
    bump_version_row,
    add_revision,
)
from workbench.store.repo.grades import (  # noqa: F401 - the package is the one name callers use
    first_round_decisions,
    first_round_decisions_by_transcriber,
    penalties_of,
    penalised_segments,
    penalties_by_user,
)
from workbench.store.repo.audit_log import (  # noqa: F401 - the package is the one name callers use
    audit_entries,
)
