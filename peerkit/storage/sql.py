"""The peerkit store on SQLAlchemy 2: an SQLite file by default, PostgreSQL by URL.

:class:`SqlStore` implements :class:`peerkit.core.store.Store` from parts, one module per concept:
:mod:`~peerkit.storage.engine` (opening, migrations, transactions, learners),
:mod:`~peerkit.storage.submissions`, :mod:`~peerkit.storage.rounds` (review rounds),
:mod:`~peerkit.storage.grades` (grades, ratings, exclusions, anchors),
:mod:`~peerkit.storage.delivery` (documents delivered to learners, review drafts),
:mod:`~peerkit.storage.activity` (learners' activity) and :mod:`~peerkit.storage.curation`
(summary notes, the example gallery).
"""

from __future__ import annotations

from peerkit.storage.activity import ActivityMethods
from peerkit.storage.curation import CurationMethods
from peerkit.storage.delivery import DeliveryMethods
from peerkit.storage.engine import SqlBase, migrate, normalise_url, redact
from peerkit.storage.grades import GradeMethods
from peerkit.storage.revision import migrations_dir
from peerkit.storage.rolling import RollingMethods
from peerkit.storage.submissions import SubmissionMethods


class SqlStore(
    SubmissionMethods, GradeMethods, RollingMethods, DeliveryMethods, ActivityMethods, CurationMethods, SqlBase
):
    """:class:`peerkit.core.store.Store` on SQLAlchemy."""


__all__ = ["SqlBase", "SqlStore", "migrate", "migrations_dir", "normalise_url", "redact"]
