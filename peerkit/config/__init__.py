"""Settings: who the learner is, which course (``course.yml``), where its files live."""
