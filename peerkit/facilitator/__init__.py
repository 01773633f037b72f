"""The facilitator's world: the one typed Facilitator API, and what it is made of.

Every front end (the ``peerkit`` commands, the hub service's facilitator endpoints, the dashboard app,
the demo's autopilot) calls :class:`~peerkit.facilitator.api.Facilitator`:

* :mod:`~peerkit.facilitator.api` opens what a facilitator works with (course, build, exchange,
  store) from a :class:`~peerkit.config.settings.PeerkitConfig` and does every facilitator step;
  :mod:`~peerkit.facilitator.results` holds the typed results it returns;
  :mod:`~peerkit.facilitator.course` is what its steps work with (the course opened once, the path
  step locks, the rolling steward); :mod:`~peerkit.facilitator.grades` parses grades given by hand;
* :mod:`~peerkit.facilitator.build` builds and releases the course with nbgrader;
* :mod:`~peerkit.facilitator.data` loads a snapshot of the cohort from the store (:class:`Cohort`);
* :mod:`~peerkit.facilitator.figures` computes progress, participation equity and review health from
  a snapshot, pure; :mod:`~peerkit.facilitator.tables` prints them for the command line;
* :mod:`~peerkit.facilitator.notes` drafts summary notes (TF-IDF and clustering with scikit-learn) and
  releases them; :mod:`~peerkit.facilitator.gallery` curates and publishes contributed examples;
* :mod:`~peerkit.facilitator.export` writes grades and reviews as CSV and the whole round as JSON.
"""
