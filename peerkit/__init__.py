"""peerkit: peer learning paths for Jupyter — reflections, peer review and grades through nbgrader.

Importing the package is cheap on purpose: ``python -m peerkit`` must work with a bare Python
(it bootstraps the project's virtual environment), and Voilà kernels import the widgets on
every page view.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
