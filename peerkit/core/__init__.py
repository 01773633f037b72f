"""The pure domain of peerkit: models, answers, allocation, aggregation.

Nothing in this package imports Jupyter, nbgrader, ipywidgets, traitlets or a database driver;
``tests/core/test_imports.py`` enforces it.
"""
