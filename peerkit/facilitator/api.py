"""The one typed Facilitator API: everything a facilitator does to a course, for every front end.

The ``peerkit`` commands, the hub service, the dashboard app and the demo's autopilot are shims over
:class:`Facilitator`: they parse their input, call one method and show its typed result
(:mod:`peerkit.facilitator.results`). Methods take keyword arguments only and raise
:class:`~peerkit.core.errors.PeerkitError` subclasses with the field at fault.

    from peerkit.config.settings import PeerkitConfig
    from peerkit.facilitator.api import Facilitator

    desk = Facilitator.open(PeerkitConfig.load(course_file=Path("course/course.yml")))
    desk.build()
    desk.open_round(path_id="essay")            # again later: late submitters, overdue reviews
    print(desk.close_round(path_id="essay").summary())
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from peerkit.config.identity import check_learner_id
from peerkit.config.settings import PeerkitConfig
from peerkit.core.activity import activity_paths
from peerkit.core.curation import GalleryStatus, SummaryNote
from peerkit.core.errors import (
    ConfigError,
    Conflict,
    IdentityError,
    NotFound,
    StorageError,
    ValidationError,
    shown,
)
from peerkit.core.models import Course
from peerkit.core.progress import Progress
from peerkit.core.store import SubmissionRow
from peerkit.exchange.base import ActivityReport
from peerkit.facilitator import export as exports
from peerkit.facilitator import gallery, notes
from peerkit.facilitator.build import setup_facilitator
from peerkit.facilitator.course import OpenedCourse, sqlite_file
from peerkit.facilitator.data import Cohort, load_cohort
from peerkit.facilitator.export import LMS
from peerkit.facilitator.export_file import checked_target
from peerkit.facilitator.gallery import GalleryItem
from peerkit.facilitator.grades import example_scores, override_points, override_reason
from peerkit.facilitator.results import (
    AnotherReview,
    Built,
    Closed,
    Collected,
    Example,
    Exclusion,
    Export,
    Flags,
    Grades,
    Override,
    PathSummary,
    Responses,
    RoundUpdate,
    Stewarded,
)
from peerkit.nbgrader.build import build_course
from peerkit.nbgrader.ingest import IngestReport, collect_and_ingest, ingest
from peerkit.review.collect import ReviewReport, collect_reviews
from peerkit.review.feedback import close_round, release
from peerkit.review.grading import ReviewerQuality, reviewer_quality
from peerkit.review.practice import responses
from peerkit.review.round import RoundStatus, open_round, refuse_rolling, round_status
from peerkit.review.round_closed import after_close, reopen
from peerkit.review.scale import path_scale
from peerkit.storage.atomic import write_atomic
from peerkit.storage.sql import SqlStore

#: The file type of each export, by kind (its name's ending, and what an export may overwrite).
EXPORT_SUFFIX = {"grades": ".csv", "reviews": ".csv", "round": ".json"}
#: How many learners a message lists before it says how many more there are.
LISTED = 12


class Facilitator(OpenedCourse):
    """Everything a facilitator does to a course, each step one keyword-only method returning a typed
    result; what the steps work with (course, build, exchange, store, step locks) is
    :class:`~peerkit.facilitator.course.OpenedCourse`."""

    @classmethod
    def open(
        cls, config: PeerkitConfig | None = None, *, store: SqlStore | None = None, create_store: bool = True
    ) -> Facilitator:
        """The facilitator of the course *config* names (default: :meth:`PeerkitConfig.load`). Not
        *create_store*: an SQLite store that does not exist is refused (with where to run from), not
        created empty (the steps that only read)."""
        config = config or PeerkitConfig.load()
        return cls(
            store=store,
            workspace=config.workspace,
            exchange=config.exchange,
            config=config,
            create_store=create_store,
        )

    # -- the course ---------------------------------------------------------------------------------

    def prepare(self) -> Path:
        """Create the course's activity and public folders beside the exchange and the facilitator's
        own folder (idempotent); return that folder."""
        return setup_facilitator(self.course, self.workspace, exchange=self.course_exchange)

    def build(self, *, paths: Sequence[str] = (), force: bool = False, progress: Progress | None = None) -> Built:
        """Generate and release the course's paths with nbgrader (all, or *paths*); unchanged paths
        are skipped unless *force*. *progress* hears (done, total) per assignment."""
        paths_ = [self._path(p) for p in paths] or None
        results = build_course(self.course_build, paths=paths_, force=force, progress=progress)
        self.prepare()
        return Built(tuple(results))

    def release(self, *, path_id: str, progress: Progress | None = None) -> Built:
        """Generate and release one path (when it changed)."""
        return Built(tuple(build_course(self.course_build, paths=[self._path(path_id)], progress=progress)))

    def collect(self, *, path_id: str, ingest: bool = True, progress: Progress | None = None) -> Collected:
        """Collect *path_id*'s submissions with nbgrader, then (unless not *ingest*) record them. An
        inbound entry that the learner it names did not write is refused and listed (``refused``)."""
        from peerkit.nbgrader.collect import collect as nbgrader_collect

        with self.step(self._path(path_id)):
            run = nbgrader_collect(
                self.course_build.config(), path_id, unix_users=self.config.unix_users, progress=progress
            )
            report = self.ingest(path_id=path_id, progress=progress) if ingest else None
        return Collected(path_id=path_id, found=len(run.collected), ingested=report, refused=run.refused)

    def ingest(self, *, path_id: str, progress: Progress | None = None) -> IngestReport:
        """Record every collected submission of *path_id* (safe to repeat; see :func:`ingest`)."""
        with self.step(self._path(path_id)):
            return ingest(self.store, self.course_build.course_root, path_id, progress=progress)

    def submissions(self, *, path_ids: Sequence[str] = ()) -> list[SubmissionRow]:
        """Who has submitted what (every path, or *path_ids*), and whether each current submission is
        complete, has required answers blank (how many) or holds no answers (``status``, ``blank``).
        A path that neither the store nor the course knows (a typo) is refused."""
        rows = self.store.overview(list(path_ids) or None)
        stored = {r.path_id for r in rows}
        for path_id in path_ids:
            if path_id not in stored:  # the store knows the path, else the course must (a store-only look)
                self._path(path_id)
        try:
            due = {p.id: p.due for p in self.course.paths if p.due is not None}
        except ConfigError:  # a store-only look: no due dates to hold the submissions to
            return rows
        return [
            replace(r, late=r.submitted_at - d) if (d := due.get(r.path_id)) is not None and r.submitted_at > d else r
            for r in rows
        ]

    # -- the review round ---------------------------------------------------------------------------

    def open_round(
        self,
        *,
        path_id: str,
        per_submission: int | None = None,
        seed: int | None = None,
        now: datetime | None = None,
        progress: Progress | None = None,
        collect: bool = True,
    ) -> RoundUpdate:
        """Collect *path_id*'s submissions, count finished reviews, allocate reviewers and deliver
        packets (not *collect*: only allocate and deliver, the hub service's step). Run it again
        (:meth:`extend_round`) to bring late submitters in and hand overdue reviews to active
        learners; finished reviews never move."""
        refuse_rolling(self.course.path(self._reviewed(path_id)))
        build, ingested, reviews = self.course_build, None, None
        with self.step(self._reviewed(path_id)):
            reopened = reopen(self.store, self.course_exchange, path_id)  # opened again after a close
            if collect:
                ingested = collect_and_ingest(
                    build.config(), self.store, path_id, progress=progress, unix_users=self.config.unix_users
                )
                if self.store.review_round(path_id) is not None:  # finished reviews must count before deadlines do
                    reviews = self.collect_reviews(path_id=path_id, progress=progress)
            opened = open_round(
                self.store,
                self.course,
                path_id,
                exchange_root=build.channel_root,
                per_submission=per_submission,
                seed=seed,
                now=now,
                people=self.people(),
                progress=progress,
            )
        return RoundUpdate(ingested=ingested, reviews=reviews, opened=opened, reopened=reopened)

    def extend_round(self, *, path_id: str, now: datetime | None = None) -> RoundUpdate:
        """Bring an open round up to date: late submitters in, overdue reviews handed over."""
        return self.open_round(path_id=path_id, now=now)

    def collect_reviews(self, *, path_id: str, progress: Progress | None = None) -> ReviewReport:
        """Collect *path_id*'s reviews through nbgrader and record the finished ones."""
        with self.step(self._reviewed(path_id)):
            return collect_reviews(
                self.course_build.config(),
                self.store,
                self.course,
                path_id,
                unix_users=self.config.unix_users,
                progress=progress,
            )

    def close_round(
        self, *, path_id: str, collect: bool = True, progress: Progress | None = None, gradebook: bool = True
    ) -> Closed:
        """Collect the latest reviews (unless not *collect*), grade every submission (overrides kept)
        and release the grades: each learner's feedback in the review app, then (unless not
        *gradebook*) nbgrader's gradebook and feedback HTML; run again after an exclusion or override."""
        with self.step(self._reviewed(path_id)):
            before, started = self.store.review_round(path_id), datetime.now(UTC)  # closed as of its collect
            reviews = self.collect_reviews(path_id=path_id, progress=progress) if collect else None
            closed = close_round(
                self.store,
                self.course,
                self.course_build,
                path_id,
                progress=progress,
                gradebook=gradebook,
                closed_at=started,
            )
            late = after_close(self.store, self.course_exchange, path_id, before)  # pages told; late taken in
        return Closed(reviews=reviews, closed=closed, late=late, closed_before=before.closed_at if before else None)

    # -- rolling review -------------------------------------------------------------------------------

    def steward(self, *, path_ids: Sequence[str] = (), now: datetime | None = None) -> Stewarded:
        """One tick of rolling review on every rolling path (or *path_ids*): new submissions taken in
        and given reviews to do, reviews taken in, feedback released once ``k`` reviews are in, leases
        that ran out handed back. Run it every few seconds (``peerkit review watch``, the hub
        service, the demo); nothing here waits for a facilitator."""
        paths = [self._path(p) for p in path_ids] or [p.id for p in self.rolling.paths()]
        reports = []
        for path_id in paths:
            try:
                with self.step(path_id, wait=0):  # busy: the next look comes in seconds
                    reports.append(self.rolling.tick(path_id, now=now))
            except Conflict:  # a facilitator's step or another replica is on this path: next tick
                continue
        return Stewarded(tuple(reports))

    def review_another(self, *, path_id: str, learner: str) -> AnotherReview:
        """Give *learner* one more submission of rolling path *path_id* to review (none is owed to
        them): the one needing reviews most; it counts for them."""
        return AnotherReview(path_id, learner, self.rolling.review_another(self._path(path_id), learner))

    def short_of(self, *, path_id: str, learner: str) -> int:
        """How many more reviews *learner*'s submission of rolling path *path_id* needs to reach ``k``
        (0 once it has them, or before the steward took it in): what the steward holds in memory."""
        return self.rolling.short_of(self._path(path_id), learner)

    def round_status(self, *, path_id: str, now: datetime | None = None) -> RoundStatus:
        """Who has how many reviews to do, and who still waits for theirs. On a path reviewed in
        rolling mode also how many peers' submissions each still waits for, the age of their oldest
        open review and of their wait, the learners waiting longest first. Without a readable course
        file, or for a round the store holds of a path the course does not define (a store-only look),
        the round's view; a path that is not peer reviewed, or that neither knows (a typo), is refused."""
        notes: tuple[str, ...] = ()
        try:
            course: Course | None = self.course
        except ConfigError as exc:
            course = None
            notes = (f"the course file could not be read, so this is the round as the store holds it: {exc}",)
        if course is not None and path_id in {p.id for p in course.paths}:
            course.rubric_for(path_id)  # not peer reviewed: refused
        elif course is not None:
            if self.store.review_round(path_id) is None:
                course.path(path_id)  # a path nobody knows: "no learning path ... (paths: ...)"
            course = None
        inbound = self.exchange_root / course.id / "inbound" if course is not None else None
        return round_status(self.store, path_id, course=course, now=now, notes=notes, inbound=inbound)

    def responses(self, *, path_id: str) -> Responses:
        """What each learner did with the feedback on *path_id* (the review page's response: what they
        changed, what they kept and why, one answer revised), by learner."""
        self._reviewed(path_id)
        found = responses(self.store, self.course, path_id)
        return Responses(path_id, tuple(sorted(found.items())))

    def overview(self) -> list[PathSummary]:
        """Every peer-reviewed path's round in one line."""
        rows = []
        for path in self.course.reviewed_paths():
            status = round_status(self.store, path.id, course=self.course)
            submitted = self.store.submissions(path.id)
            rows.append(
                PathSummary(
                    path=path.id,
                    title=path.title,
                    submissions=len(submitted),
                    round_open=status.round is not None and status.round.closed_at is None,
                    reviews_to_do=sum(s.to_do for s in status.learners),
                    waiting_for_reviews=sum(1 for s in status.learners if s.waiting),
                    with_blanks=sum(1 for s in submitted if s.status == "incomplete"),
                    without_answers=sum(1 for s in submitted if s.status == "no-answers"),
                )
            )
        return rows

    # -- grades -------------------------------------------------------------------------------------

    def grades(self, *, path_id: str) -> Grades:
        self._reviewed(path_id)
        return Grades(path_id=path_id, grades=tuple(self.store.grades(path_id)), scale=path_scale(self.course, path_id))

    def reviewer_quality(self, *, path_id: str) -> list[ReviewerQuality]:
        """Each reviewer's agreement with the others and the helpfulness their reviews were rated."""
        self._reviewed(path_id)
        return reviewer_quality(self.store, self.course, path_id)

    def flags(self, *, path_id: str) -> Flags:
        """Reviews flagged by their authors, and grades that deserve a look."""
        self._reviewed(path_id)
        excluded = {r.token for r in self.store.reviews(path_id) if r.excluded}
        flagged = tuple((r, r.token in excluded) for r in self.store.ratings(path_id) if r.flagged)
        looks = tuple(g for g in self.store.grades(path_id) if g.flags) if self.store.review_round(path_id) else ()
        return Flags(flagged=flagged, looks=looks)

    def override_grade(
        self, *, path_id: str, learner: str, points: float | str | None, by: str, reason: str
    ) -> Override:
        """Set *learner*'s grade of *path_id* to *points* by hand (``None`` or ``"clear"``: the computed
        grade again) and re-release it. *points* are on the path's scale, the one every grade is shown
        on (:mod:`peerkit.review.scale`: its ``points:`` in course.yml, or the rubric's total for a path
        without points in the gradebook); the store keeps the same share of the rubric's points.
        *points* may be text (a command's argument). *reason* is recorded and shown to the learner: a
        blank one is refused, and so is a learner who did not submit *path_id*, before the points are
        looked at (nothing is written)."""
        path = self.course.path(self._path(path_id))
        scale = path_scale(self.course, path.id)
        clear = points is None or points == "clear"
        self._submitter(path.id, learner, missing=f"no learner {shown(learner)} submitted {path.id}")
        if not clear:
            reason = override_reason(reason)
        value = override_points(points, scale.maximum, scale=f"{path.id}'s points")
        stored = None if value is None else scale.to_rubric(value)
        # The step before the write: a `review close` running is waited for, or refuses this with nothing recorded.
        with self.step(path.id):
            self.store.override_grade(path.id, learner, stored, by=by, reason=reason)
            self.release_feedback(path_id=path.id, learners=[learner])
        # As the gradebook, the export and the feedback hold it (to the hundredth, over the task cells).
        return Override(path_id=path.id, learner=learner, points=scale.points(stored), maximum=scale.maximum)

    def exclude_review(self, *, path_id: str, packet: str, reason: str, exclude: bool = True) -> Exclusion:
        """Leave the review made through *packet* out of the grades (or count it again)."""
        self._reviewed(path_id)
        self.store.exclude_review(path_id, packet, reason=reason, exclude=exclude)
        return Exclusion(path_id=path_id, packet=packet, excluded=exclude)

    def set_example(
        self, *, path_id: str, learner: str, scores: Mapping[str, float] | Sequence[str], by: str
    ) -> Example:
        """Grade *learner*'s submission yourself, as an example that anchors reviewers' biases.
        *scores* gives a level per criterion, as a mapping or as ``CRITERION=POINTS`` texts (each
        criterion once). A learner who did not submit *path_id* is refused (nothing is written)."""
        rubric = self.course.rubric_for(self._path(path_id))
        parsed = example_scores(rubric, scores)
        self._submitter(path_id, learner, missing=f"no submission of {path_id} by {shown(learner)}")
        self.store.set_anchor(path_id, learner, parsed, by=by)
        return Example(path_id=path_id, learner=learner, scores=parsed, maximum=rubric.max_points)

    def _submitter(self, path_id: str, learner: str, *, missing: str) -> str:
        """*learner*, a safe learner id with a current submission of *path_id*: else refused with
        *missing* and who did submit (a mistyped name is never recorded as a new learner)."""
        try:
            check_learner_id(learner)
        except IdentityError as exc:
            raise IdentityError(f"unsafe learner name: {exc}", name=learner) from None
        if self.store.submission(learner, path_id) is not None:
            return learner
        names = sorted({row.learner for row in self.store.overview([path_id])})
        if not names:
            raise NotFound(f"{missing}: nobody has submitted it yet (peerkit collect {path_id})")
        listed = ", ".join(names[:LISTED]) + (f" and {len(names) - LISTED} more" if len(names) > LISTED else "")
        raise NotFound(f"{missing}; submitted: {listed} (peerkit submissions {path_id})")

    def release_feedback(
        self, *, path_id: str, learners: Sequence[str] | None = None, progress: Progress | None = None
    ) -> tuple[str, ...]:
        """Release the stored grades of *learners* (default: everyone graded) again."""
        course, build = self.course, self.course_build
        with self.step(self._path(path_id)):
            return tuple(release(self.store, course, build, path_id, learners=learners, progress=progress))

    # -- the cohort, notes, gallery, exports ---------------------------------------------------------

    def refresh(self) -> ActivityReport:
        """Ingest what learners' pages recorded since the last refresh. On one host, a record that
        another Unix user wrote in a learner's name is left out and listed in the report's ``refused``;
        an event on a path the course lacks, or dated in the future, is skipped."""
        self.prepare()
        return self.course_exchange.collect_activity(self.store, activity_paths(self.course.paths))

    def cohort(self, *, now: datetime | None = None) -> Cohort:
        return load_cohort(self.store, self.course, now=now)

    def figures(self, *, name: str, path_id: str | None = None) -> str:
        """The dashboard's figures *name* (progress, equity, health, checks) as a table."""
        from peerkit.facilitator.tables import report

        return report(self.cohort(), name, path_id if path_id is None else self._path(path_id))

    def draft_notes(self, *, path_id: str, seed: int = 0, keep_edits: bool = True) -> SummaryNote:
        return notes.draft_notes(
            self.store, self.course, self._path(path_id), seed=seed, keep_edits=keep_edits, redactor=self.redactor()
        )

    def edit_notes(self, *, path_id: str, text: str, by: str) -> SummaryNote:
        return notes.edit_notes(self.store, self.course, path_id, text, by=by)

    def release_notes(self, *, path_id: str, by: str) -> str:
        """Release *path_id*'s notes to every learner; return where they went."""
        return notes.release_notes(
            self.store, self.course, self.course_exchange, self._path(path_id), by=by, redactor=self.redactor()
        )

    def note(self, *, path_id: str) -> SummaryNote:
        """*path_id*'s current notes; a path that neither the store nor the course knows is refused."""
        found = self.store.note(path_id)
        if found is None:
            self._path(path_id)
            raise NotFound(f"no summary notes for {path_id!r} yet (peerkit notes draft {path_id})")
        return found

    def gallery(self, *, state: str | None = None) -> list[GalleryItem]:
        """Every contributed example (or those in *state*), with its id."""
        return [i for i in gallery.gallery_items(self.store, self.course) if state is None or i.state == state]

    def decide_example(self, *, item: str, status: str, by: str) -> GalleryItem:
        """Approve or hide (*status* ``approved``/``hidden``) example *item* (an id or its start) and
        publish the gallery again."""
        if status not in ("approved", "hidden"):
            raise ValidationError(f"status {status!r}: expected approved or hidden", field="status")
        chosen = cast(GalleryStatus, status)
        return gallery.decide(
            self.store, self.course, self.course_exchange, item, chosen, by=by, redactor=self.redactor()
        )

    def export(
        self,
        *,
        kind: str,
        path_ids: Sequence[str] = (),
        lms: str = "canvas",
        names: bool = False,
        progress: Progress | None = None,
    ) -> Export:
        """Grades (CSV for an LMS: canvas or moodle), one path's reviews (CSV) or its whole round (JSON)."""
        if kind == "grades":
            if lms not in LMS:
                raise ValidationError(f"lms {lms!r}: expected one of {', '.join(LMS)}", field="lms")
            checked = [self._path(p) for p in path_ids]
            text = exports.export_grades(self.store, self.course, checked, lms=lms, progress=progress)
            return Export(name=f"grades-{'-'.join(checked) or 'all'}-{lms}{EXPORT_SUFFIX[kind]}", text=text)
        if kind not in ("reviews", "round") or len(path_ids) != 1:
            raise ValidationError(f"export {kind!r}: expected grades, or reviews/round of one path", field="kind")
        path_id = self._path(path_ids[0])
        make = exports.export_reviews if kind == "reviews" else exports.export_round
        text = make(self.store, self.course, path_id, names=names, progress=progress, people=self.people())
        return Export(name=f"{kind}-{path_id}{EXPORT_SUFFIX[kind]}", text=text)

    def export_target(self, output: Path, *, kind: str, force: bool = False) -> Path:
        """*output* as the file an export of *kind* may be written to, checked before the export is made
        (:func:`~peerkit.facilitator.export_file.checked_target`: never the store, a database or another file)."""
        if kind not in EXPORT_SUFFIX:
            raise ValidationError(f"export {kind!r}: expected one of {', '.join(EXPORT_SUFFIX)}", field="kind")
        return checked_target(
            output.expanduser(), EXPORT_SUFFIX[kind], kind, store=sqlite_file(self.config.store_url), force=force
        )

    def save_export(self, export: Export, *, to: Path | None = None, force: bool = False) -> Path:
        """Write *export* to *to* (checked as :meth:`export_target` does, *force* too), else into the
        work folder's ``exports/``; return the file."""
        suffix = Path(export.name).suffix
        if to is not None:
            kind = export.name.split("-", 1)[0]
            target = checked_target(
                to.expanduser(), suffix, kind, store=sqlite_file(self.config.store_url), force=force
            )
        else:
            target = self.workspace.root / "exports" / export.name
            target.parent.mkdir(parents=True, exist_ok=True)
        try:
            write_atomic(target, export.text.encode("utf-8"))
        except StorageError as exc:
            raise StorageError(f"{exc} ({target})", path=str(target)) from exc
        return target
