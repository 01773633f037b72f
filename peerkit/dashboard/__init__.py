"""The facilitator's view of a cohort: figures, plots, summary notes, the gallery, exports.

* :mod:`~peerkit.dashboard.facilitator` opens what a facilitator works with (course, exchange, store)
  and refreshes learners' activity;
* :mod:`~peerkit.dashboard.data` loads a snapshot of the cohort from the store (:class:`Cohort`);
* :mod:`~peerkit.dashboard.figures` computes progress, participation equity and review health from
  a snapshot, pure; :mod:`~peerkit.dashboard.tables` prints them for the command line;
* :mod:`~peerkit.dashboard.plots` draws them with matplotlib, as SVG;
* :mod:`~peerkit.dashboard.notes` drafts summary notes (TF-IDF and clustering with scikit-learn) and
  releases them; :mod:`~peerkit.dashboard.gallery` curates and publishes contributed examples;
* :mod:`~peerkit.dashboard.export` writes grades and reviews as CSV and the whole round as JSON.

The Voilà app is :mod:`peerkit.apps.dashboard`; the commands are ``peerkit dashboard``,
``peerkit notes``, ``peerkit gallery`` and ``peerkit export``.
"""
