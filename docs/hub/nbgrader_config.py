# nbgrader's configuration for every learner's server under JupyterHub (the nbgrader way):
# put it in /etc/jupyter/ of the single-user image (or the folder named by PEERKIT_LEARNER_CONFIG in
# docs/hub/jupyterhub_config.py). The hub's spawner hands each server PEERKIT_EXCHANGE and
# PEERKIT_COURSE_ID. The tests (tests/hub/) use this very file.
import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# The course of this hub's peerkit service (learners' assignments go to ~/<course id>/<path>/): the
# `id` of course.yml, which docs/hub/jupyterhub_config.py reads and hands every server. No default:
# a guessed id would fetch nothing.
if os.environ.get("PEERKIT_COURSE_ID"):
    c.CourseDirectory.course_id = os.environ["PEERKIT_COURSE_ID"]
# The exchange every server shares (a shared volume under Zero to JupyterHub, see docs/deploy-jupyterhub.md).
c.Exchange.root = os.environ.get("PEERKIT_EXCHANGE", "/srv/nbgrader/exchange")
# Several courses on one hub: each course's files sit in a folder named after it.
c.Exchange.path_includes_course = True
# Learners see the courses whose hub group nbgrader-<course> (or formgrade-<course>) they are in.
c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"
