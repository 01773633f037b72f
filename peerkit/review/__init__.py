"""Peer-review rounds: allocation, packets and their per-learner delivery, collecting reviews.

Pure decisions live in :mod:`peerkit.core` (allocation, packets, rubrics); this package applies
them to the store, nbgrader's exchange and the learners' channels.
"""
