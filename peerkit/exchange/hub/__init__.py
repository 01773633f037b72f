"""The hub backend (JupyterHub and the course's ``peerkit service``): see :mod:`.backend`; the HTTP
client is :mod:`.client`, the activity sender :mod:`.activity`."""

from peerkit.exchange.hub.backend import HubBackend, HubCourseExchange, HubLearnerExchange
from peerkit.exchange.hub.client import ServiceClient

__all__ = ["HubBackend", "HubCourseExchange", "HubLearnerExchange", "ServiceClient"]
