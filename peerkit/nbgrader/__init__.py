"""peerkit's seam with nbgrader: course build and release, learner fetch and submit, collect.

Everything here runs nbgrader's own classes in-process (never its CLI in a subprocess) and turns
their failures into :class:`peerkit.core.errors.ExchangeError`. nbgrader itself is imported lazily:
it takes about a second to import, and Voilà kernels must not pay that before the page shows.
"""
