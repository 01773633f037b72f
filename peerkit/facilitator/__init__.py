"""The facilitator's world: what a facilitator works with and does, for every front end.

* :mod:`~peerkit.facilitator.desk` opens what a facilitator works with (course, exchange, store)
  and refreshes learners' activity;
* :mod:`~peerkit.facilitator.data` loads a snapshot of the cohort from the store (:class:`Cohort`);
* :mod:`~peerkit.facilitator.figures` computes progress, participation equity and review health from
  a snapshot, pure; :mod:`~peerkit.facilitator.tables` prints them for the command line;
* :mod:`~peerkit.facilitator.notes` drafts summary notes (TF-IDF and clustering with scikit-learn) and
  releases them; :mod:`~peerkit.facilitator.gallery` curates and publishes contributed examples;
* :mod:`~peerkit.facilitator.export` writes grades and reviews as CSV and the whole round as JSON.
"""
