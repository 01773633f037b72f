"""Everything that travels between learners and the course beside nbgrader's own exchange.

Review rounds and packets, feedback, the public notes and gallery, activity records and review
drafts. :mod:`.base` declares the two sides (:class:`~.base.CourseExchange`,
:class:`~.base.LearnerExchange`); :mod:`.files` (one host, Unix permissions) and :mod:`.hub`
(JupyterHub and the course service) implement them; :mod:`.registry` chooses one by name; and
:mod:`.context` resolves a learner page's context (who, which course, which folder, which exchange)
once. A new transport is one module plus one line in :data:`.registry.BACKENDS`.
"""
