"""``peerkit serve``: the whole demo on one laptop, set up and served in one call (:func:`serve_demo`).

Builds and releases the course, sets up the demo learner (:func:`~peerkit.demo.site.prepare_site`),
enrolls the synthetic peers and their autopilot (:mod:`peerkit.demo.autopilot`), and runs Voilà for
the learner with the facilitator's dashboard beside it. The command line only parses options.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

from peerkit.config.settings import PeerkitConfig
from peerkit.config.template import template_root
from peerkit.config.workspace import Workspace
from peerkit.core.models import Course
from peerkit.demo.autopilot import Autopilot, Say
from peerkit.demo.cohort import enroll_peers, load_peers
from peerkit.demo.site import prepare_site
from peerkit.facilitator.api import Facilitator
from peerkit.facilitator.build import committed_config, course_build
from peerkit.voila.processes import Server, check_ports, run_servers
from peerkit.voila.serve import (
    ServeOptions,
    dashboard_env,
    jupyter_data_dir,
    new_token,
    page_url,
    voila_command,
    voila_env,
    with_token,
    write_voila_config,
)
from peerkit.voila.trust import trust_notebooks


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """How to serve the demo (where the course is and for whom come from :class:`PeerkitConfig`)."""

    ip: str = "localhost"
    preheat: bool = True
    #: Set everything up and print the Voilà command instead of serving.
    prepare_only: bool = False
    #: The demo's synthetic peers (course/demo/cohort.yml) and their autopilot.
    cohort: bool = True
    #: Port of the facilitator dashboard (always on localhost); None: no dashboard.
    dashboard_port: int | None = None


def serve_demo(
    config: PeerkitConfig,
    *,
    ip: str = "localhost",
    preheat: bool = True,
    prepare_only: bool = False,
    cohort: bool = True,
    dashboard_port: int | None = None,
    say: Say = print,
) -> int:
    """Prepare the demo course for ``config.learner`` and serve it; return Voilà's exit code (0 when
    only preparing, or when stopped by a signal). A taken port is refused before anything is built, and
    a server that does not start raises :class:`~peerkit.core.errors.ServerError`. ``peerkit serve``
    finds this function through the ``peerkit.serve`` entry point ``demo``; the keyword arguments are
    :class:`DemoOptions`' fields."""
    options = DemoOptions(
        ip=ip, preheat=preheat, prepare_only=prepare_only, cohort=cohort, dashboard_port=dashboard_port
    )
    serving = ServeOptions(port=config.port, ip=options.ip, preheat=options.preheat)
    board = replace(serving, port=options.dashboard_port or 0, ip="localhost", preheat=False, lab_extensions=None)
    planned = [Server(name="the course home", command=(), env={}, cwd=Path(), port=serving.port, host=serving.ip)]
    if options.dashboard_port is not None:
        planned.append(
            Server(
                name="the facilitator dashboard",
                command=(),
                env={},
                cwd=Path(),
                port=board.port,
                host=board.ip,
                option="--dashboard-port",
            )
        )
    if not options.prepare_only:
        check_ports(planned)  # before anything is built: a taken port is said at once, not after the build
    desk = Facilitator.open(config)
    course, workspace = desk.course, desk.workspace
    say(f"Preparing {course.title!r} in {workspace.root} ...")
    source = Path(course.source or config.course_file).resolve()
    if not source.is_relative_to(Path.cwd().resolve()) and source.is_relative_to(template_root().resolve()):
        say(
            f"  course: {source} (no course/course.yml in this folder, so the course that comes with peerkit;"
            " `peerkit init FOLDER` makes a copy of your own to edit)"
        )
    site = prepare_site(course, workspace, committed_config=committed_config(course), learner=config.learner or None)
    released = [b.path_id for b in site.builds if b.released]
    say(f"  assignments: {len(site.builds)} ({len(released)} released now, the rest unchanged)")
    say(f"  learner: {site.learner} (answers in {site.course_dir})")
    autopilot = demo_cohort(course, workspace, site.learner, say=say) if options.cohort else None
    config_dir = workspace.voila_dir
    write_voila_config(config_dir, site.notebooks(), serving)
    trust_notebooks(site.course_dir, data_dir=jupyter_data_dir(site.learner_home))  # no "not trusted" warnings
    command = voila_command(site.course_dir, config_dir)
    host = "localhost" if serving.local_only else options.ip
    # Each server requires its own secret, new at every run, in the address printed here (peerkit.voila.serve):
    # another user of the host cannot act as the learner, nor open the dashboard with the learner's address.
    # With --prepare-only the printed command makes and prints its own when it starts.
    learner_token = None if options.prepare_only else new_token()
    say(f"\nCourse home: {page_url(host, config.port, learner_token)}")
    learner_env = voila_env(site.learner_home)
    servers = [replace(planned[0], command=command, env=with_token(learner_env, learner_token or ""), cwd=config_dir)]
    if options.dashboard_port is not None:
        # Always on localhost: the dashboard shows every learner's work and grades.
        write_voila_config(workspace.facilitator_voila_dir, [], board)
        trust_notebooks(site.dashboard, data_dir=jupyter_data_dir(workspace.facilitator_dir))
        env = dashboard_env(
            workspace.facilitator_dir,
            course_file=course.source or config.course_file,
            workdir=workspace.root,
            db_url=config.db_url,
            exchange=config.exchange,
        )
        dashboard_command = voila_command(site.dashboard, workspace.facilitator_voila_dir)
        board_token = new_token()
        servers.append(
            replace(
                planned[1],
                command=dashboard_command,
                env=with_token(env, board_token),
                cwd=workspace.facilitator_voila_dir,
            )
        )
        shown = None if options.prepare_only else board_token
        say(f"Facilitator dashboard: {page_url('localhost', board.port, shown)}")
    say("")
    if options.prepare_only:
        say(" ".join(command))
        say("(it prints the address to open, with its token, when it starts)")
        return 0
    sys.stdout.flush()
    return run_servers(servers, beside=autopilot.run if autopilot else None, say=say)


def demo_cohort(course: Course, workspace: Workspace, learner: str, *, say: Say = print) -> Autopilot | None:
    """Enroll the demo peers (once) and return the autopilot that plays facilitator and peers."""
    from peerkit.storage.sql import SqlStore

    peers = load_peers(course)
    if not peers:
        return None
    build = course_build(course, workspace, committed_config(course))
    store = SqlStore.open(workspace.store_url)
    made = enroll_peers(course, workspace, build, store, peers)
    desk = Facilitator(store=store, workspace=workspace, course=course, build=build)
    for path_id in sorted({item.split("/", 1)[1] for item in made}):  # the facilitator's dashboard shows them at once
        desk.collect(path_id=path_id)
    say(f"  demo cohort: {len(peers)} peers ({', '.join(p.name for p in peers)}); {len(made)} submissions made now")
    reviewed = ", ".join(f"“{p.title}”" for p in course.reviewed_paths())
    say(f"  submit {reviewed} and your peers review you back within seconds")
    return Autopilot(
        course=course, workspace=workspace, build=build, store=store, learner=learner, peers=peers, say=say
    )
