"""The files backend (one host, Unix permissions): see :mod:`.backend`; the folders it keeps beside
nbgrader's exchange are in :mod:`.channels`, :mod:`.public` and :mod:`.activity`."""

from peerkit.exchange.files.backend import FilesBackend, FilesCourseExchange, FilesLearnerExchange

__all__ = ["FilesBackend", "FilesCourseExchange", "FilesLearnerExchange"]
