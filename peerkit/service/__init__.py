"""peerkit's JupyterHub service: review packets, drafts and feedback for many learners.

Under JupyterHub every learner's server runs as the same Unix user (in Zero to JupyterHub, ``jovyan``
in separate containers), so files cannot keep learners apart. This service, run by the hub like
ngshare or nbgrader's course service, authenticates every request with the hub (each learner's
server API token, scope ``access:services!service=peerkit``) and serves each learner only their
own documents from the peerkit store (PostgreSQL). Facilitators (hub group ``formgrade-<course>`` or
scope ``custom:peerkit:facilitate``) run the round through it.

Modules: :mod:`~peerkit.service.auth` (who is calling), :mod:`~peerkit.service.api` (what every endpoint
shares: the hub's word about the token, JSON answers and errors, ``Server-Timing``),
:mod:`~peerkit.service.learners`, :mod:`~peerkit.service.facilitators` and :mod:`~peerkit.service.probes`
(the endpoints), :mod:`~peerkit.service.routes` (their URLs), :mod:`~peerkit.service.app` (the tornado
application and its process),
The learner side (in a Voilà kernel) is the hub backend of the exchange, :mod:`peerkit.exchange.hub`.
"""
