# JupyterHub on one host for a Peer Learning Paths course, configured the nbgrader way.
#
# Load it from your own jupyterhub_config.py (which picks the authenticator and spawner) with
#
#     load_subconfig("/etc/jupyterhub/peerkit_hub_config.py")
#
# docs/hub/one-host.sh installs it there, writes that jupyterhub_config.py and runs the hub.
# The end-to-end test (tests/hub/) runs this very file, with a shared-password authenticator and
# local processes, so what is documented here is what is tested. Site-specific values come from the
# environment of the hub process:
#
#   PEERKIT_COURSE_FILE     the course definition (course/course.yml in the folder `peerkit init` made);
#                           its `id` names the nbgrader course, its service and its groups
#   PEERKIT_COURSE_ID       optional: if set, it must equal that id (a hub that disagrees with
#                           course.yml shows learners no paths and its service answers 404)
#   PEERKIT_COURSE_ROOT     the nbgrader course root (source/, release/, submitted/, gradebook.db)
#   PEERKIT_EXCHANGE        nbgrader's exchange root, shared by every server (mkdir; chmod 0777)
#   PEERKIT_DB              the peerkit store: postgresql://peerkit:secret@127.0.0.1/peerkit
#   PEERKIT_SERVICE_PORT    where the peerkit service listens (default 10101)
#   PEERKIT_COURSE_PORT     where the nbgrader course service listens (default 10102)
#   PEERKIT_LEARNER_CONFIG  the folder holding the learners' nbgrader_config.py (default /etc/jupyter)
#   PEERKIT_FACILITATORS    comma-separated hub users who facilitate (the formgrade-<course> group)
#   PEERKIT_LEARNERS        comma-separated hub users enrolled as learners (the nbgrader-<course> group);
#                           learners can also be added later on the hub's admin page or its API
#   PEERKIT_AUTH_CACHE      optional: how many seconds the service trusts the hub's answer about a token
#                           for reads (default 30); every write asks the hub again whatever this says
#   PEERKIT_STEWARD_INTERVAL  optional: seconds between two looks of rolling review in the service (default 5)
#   PEERKIT_FACILITATOR_GROUP, PEERKIT_UNIX_USERS  optional: handed on to the service if set (see
#                           `peerkit config show`); the hub gives a service only the environment below
#
# What it sets up, and why:
#
# * the peerkit service (`peerkit service`), managed by the hub: it serves each learner only their own
#   review packets, drafts and feedback, checking every request's token with the hub;
# * nbgrader's course service (`peerkit-course-service`, which becomes jupyterhub-singleuser): the
#   formgrader and the peerkit facilitator dashboard, for the facilitators only (the role below gives
#   formgrade-<course> its access scope), named after the course id, as nbgrader's multiple-courses
#   setup wants;
# * groups: `formgrade-<course>` (facilitators) and `nbgrader-<course>` (learners; nbgrader adds
#   learners to it when the facilitator adds them to the gradebook);
# * roles and scopes: every user may call the peerkit service (it decides what each one may see);
#   facilitators also get `custom:peerkit:facilitate` and the course service; servers' own tokens
#   carry those scopes so that code in a learner's Voilà kernel can call the service as the learner;
# * every learner's server gets PEERKIT_SERVICE_URL, which switches the review app from the local
#   review channel to the service: the same notebooks run on a laptop and on the hub. It is the
#   service's own address on this host (servers are local processes here), not the hub's public URL:
#   no detour through TLS and the proxy, and nothing to change when the public address changes;
# * every learner's server starts with `peerkit-singleuser`: it fetches the released paths and copies
#   the course home in, then opens the course home as a Voilà app.
import os
import sys

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

COURSE_FILE = os.environ.get("PEERKIT_COURSE_FILE", "/srv/peerkit/course/course.yml")


def course_id(course_file: str) -> str:
    """The `id` of course.yml: the one name every part of the hub must agree on."""
    from pathlib import Path

    import yaml

    try:
        with Path(course_file).open(encoding="utf-8") as handle:
            found = (yaml.safe_load(handle) or {}).get("id")
    except OSError as exc:
        raise SystemExit(f"{course_file}: cannot read the course ({exc}); set PEERKIT_COURSE_FILE") from exc
    if not isinstance(found, str) or not found:
        raise SystemExit(f"{course_file}: no course `id`; add `id: <course>` at its top")
    expected = os.environ.get("PEERKIT_COURSE_ID")
    if expected and expected != found:
        raise SystemExit(
            f"{course_file}: the course id is {found!r} but PEERKIT_COURSE_ID says {expected!r}; "
            "unset PEERKIT_COURSE_ID or make them equal"
        )
    return found


COURSE = course_id(COURSE_FILE)
COURSE_ROOT = os.environ.get("PEERKIT_COURSE_ROOT", f"/srv/nbgrader/{COURSE}")
EXCHANGE = os.environ.get("PEERKIT_EXCHANGE", "/srv/nbgrader/exchange")
DB = os.environ.get("PEERKIT_DB", "postgresql://peerkit@127.0.0.1/peerkit")
SERVICE_PORT = int(os.environ.get("PEERKIT_SERVICE_PORT", "10101"))
COURSE_PORT = int(os.environ.get("PEERKIT_COURSE_PORT", "10102"))
LEARNER_CONFIG = os.environ.get("PEERKIT_LEARNER_CONFIG", "/etc/jupyter")
FACILITATORS = [u for u in os.environ.get("PEERKIT_FACILITATORS", "").split(",") if u]
LEARNERS = [u for u in os.environ.get("PEERKIT_LEARNERS", "").split(",") if u]
AUTH_CACHE = os.environ.get("PEERKIT_AUTH_CACHE", "30")
# The hub starts a service with only its `environment` (and Spawner.env_keep: PATH, LANG, ...), never
# the hub's own environment: the service's settings set for the hub are handed on here.
SERVICE_SETTINGS = ("PEERKIT_STEWARD_INTERVAL", "PEERKIT_FACILITATOR_GROUP", "PEERKIT_UNIX_USERS")
ROOT_FLAGS = ["--allow-root"] if os.geteuid() == 0 else []  # a local test hub running as root

FACILITATE = "custom:peerkit:facilitate"

c.JupyterHub.services = [
    {
        "name": "peerkit",
        "url": f"http://127.0.0.1:{SERVICE_PORT}",
        "command": [
            sys.executable,
            "-m",
            "peerkit",
            "service",
            "--course",
            COURSE_FILE,
            "--course-root",
            COURSE_ROOT,
            "--exchange",
            EXCHANGE,
        ],
        "environment": {
            "PEERKIT_DB": DB,
            "PEERKIT_NO_BOOTSTRAP": "1",
            "PEERKIT_AUTH_CACHE": AUTH_CACHE,
            **{name: os.environ[name] for name in SERVICE_SETTINGS if os.environ.get(name)},
        },
        "oauth_no_confirm": True,
    },
    {
        # nbgrader's course service: the formgrader and the peerkit facilitator dashboard
        # (/services/<course>/voila/render/dashboard.ipynb), for members of formgrade-<course> only.
        # peerkit-course-service copies the dashboard in and becomes jupyterhub-singleuser.
        "name": COURSE,
        "url": f"http://127.0.0.1:{COURSE_PORT}",
        # Who may open it is the access scope in load_roles: jupyterhub-singleuser has had no --group
        # option since JupyterHub 2 (nbgrader's older guides pass one; it only logs "Unrecognized alias").
        "command": ["peerkit-course-service", *ROOT_FLAGS],
        "cwd": COURSE_ROOT,
        "environment": {
            "JUPYTERHUB_DEFAULT_URL": "/formgrader",
            # What the dashboard's kernel reads (peerkit.config.settings.settings_from_env):
            "PEERKIT_COURSE": COURSE_FILE,
            "PEERKIT_DB": DB,
            "PEERKIT_EXCHANGE": EXCHANGE,
            # The dashboard's exports/. Not ".../peerkit": the kernel runs in COURSE_ROOT, and a folder
            # named like the package there would shadow it.
            "PEERKIT_WORKDIR": f"{COURSE_ROOT}/peerkit-work",
        },
        "oauth_no_confirm": True,
    },
]

c.JupyterHub.custom_scopes = {
    FACILITATE: {"description": "Run the peer-review rounds of the course through the peerkit service."},
}

c.JupyterHub.load_groups = {
    f"formgrade-{COURSE}": {"users": FACILITATORS},
    f"nbgrader-{COURSE}": {"users": LEARNERS},
}

c.JupyterHub.load_roles = [
    # Every hub user may call the peerkit service; it serves each one only their own documents.
    {"name": "user", "scopes": ["self", "access:services!service=peerkit"]},
    {
        "name": f"facilitator-{COURSE}",
        "groups": [f"formgrade-{COURSE}"],
        "scopes": [FACILITATE, f"access:services!service={COURSE}"],
    },
    {
        # What nbgrader's course service needs to manage the nbgrader-<course> group (nbgrader #1900).
        "name": f"course-service-{COURSE}",
        "services": [COURSE],
        "scopes": ["read:users:groups", "list:users", "list:services", "groups", "admin:groups"],
    },
]

# The token each server (and so each Voilà kernel) holds: enough to call the peerkit service as its
# owner, and to let nbgrader look up the owner's course groups. Scopes the owner lacks are dropped.
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "read:users:groups!user",
    "access:services!service=peerkit",
    FACILITATE,
]
c.Spawner.environment = {
    # Straight to the service, as on Kubernetes: the same routes under the same prefix as through the proxy.
    "PEERKIT_SERVICE_URL": f"http://127.0.0.1:{SERVICE_PORT}/services/peerkit/",
    "PEERKIT_EXCHANGE": EXCHANGE,
    "PEERKIT_COURSE_ID": COURSE,
    "JUPYTER_CONFIG_PATH": LEARNER_CONFIG,
}
c.Spawner.args = ROOT_FLAGS
# Each server starts with the learner's course folder up to date: released paths fetched, the course
# home and other apps copied in (`peerkit sync`), then runs jupyterhub-singleuser as usual.
c.Spawner.cmd = ["peerkit-singleuser"]
# Servers started as local processes (one host) each get a port no other server was handed in the
# last minutes: JupyterHub's own pick lets two servers starting at the same moment share a port, and
# then routes one learner to the other's server. A site that sets its own pre_spawn_hook calls
# peerkit.service.ports.assign_port(spawner) from it. Other spawners (Kubernetes) are left alone.
from peerkit.service.ports import assign_port  # noqa: E402 - the hub's Python has peerkit installed

c.Spawner.pre_spawn_hook = assign_port
c.Spawner.default_url = f"/voila/render/{COURSE}/home.ipynb"
