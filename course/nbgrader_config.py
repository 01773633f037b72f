# nbgrader settings that travel with the course. `peerkit build` loads this file and adds what
# depends on where the course is built (course id from course.yml, course root, exchange root).
c = get_config()  # noqa: F821 - provided by traitlets when it runs this file

# A learner's kernel writes answers with a temporary file + rename; never carry a half-written
# temporary file (".peerkit-answers.json.<random>.tmp") into a release, fetch or submission.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    ".*.tmp",
]

# On one machine (the embedded demo, a shared JupyterHub volume) every learner's files belong to
# the same Unix user, so nbgrader's "owned by another user; cheating attempt?" check says nothing.
c.ExchangeCollect.check_owner = False
