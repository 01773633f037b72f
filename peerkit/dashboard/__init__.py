"""The facilitator's dashboard, a Voilà app: a front end over :mod:`peerkit.facilitator`.

* :mod:`~peerkit.dashboard.app` is the app itself (tabs, the notes editor, gallery decisions, exports);
* :mod:`~peerkit.dashboard.views` renders the read-only sections as HTML;
* :mod:`~peerkit.dashboard.plots` draws the figures with matplotlib, as SVG.

The figures, notes, gallery and exports themselves live in :mod:`peerkit.facilitator`, which the
``peerkit dashboard|notes|gallery|export`` commands use too.
"""
