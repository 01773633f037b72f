"""Voilà at the edge: the servers' configuration and the processes that serve the course."""
