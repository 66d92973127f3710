"""The crawl's side of learnt boilerplate: the templates kept in the state, and learning more.

At the start of a run the counts every host has in the state are loaded (its `learnt` table,
on either back-end); the run cleans with the templates they give, and counts each article it
fetches toward its host's template, in memory (no state call from the event loop); the counts
of the hosts it learnt from are saved when the run ends, whatever way it ends but a kill (which
loses that run's counts: statistics, not output). The run keeps what each page showed, and
saving adds those pages to the counts stored then, under the state's lock: workers sharing a
PostgreSQL state each add theirs, none replaces another's. Reads `clean.learn` (the caller's
decision).
"""

from __future__ import annotations

import logging

from ..clean.learned import LearntTemplates
from ..clean.learning import HostLearner, Learner, PageSightings, page_sightings
from ..errors import OutputError
from ..models import Page
from .state import StateStore

log = logging.getLogger(__name__)


class CrawlLearning:
    """The learner of one run, over the state's counts."""

    def __init__(self, state: StateStore):
        self.state = state
        self.learner = Learner(HostLearner.from_bytes(host, data) for host, data in state.learnt_counts())
        self._seen: dict[str, list[PageSightings]] = {}  # by host: the pages this run counted

    def templates(self) -> LearntTemplates:
        return self.learner.templates()

    def observe(self, page: Page) -> None:
        """Count an article's blocks toward its host's template."""
        sightings = page_sightings(page)
        if sightings is not None and self.learner.observe_sightings(sightings):
            self._seen.setdefault(sightings.host, []).append(sightings)

    def save(self) -> None:
        """Add the run's pages to the counts the state holds now; a state that takes no
        writes (a full disk) loses them with a warning: the run's own error, if any, is the
        one to tell."""
        if not self._seen:
            return
        try:
            self.state.merge_learnt(sorted(self._seen), self._merged)
        except OutputError as exc:
            log.warning("learnt boilerplate not saved: %s", exc)
            return
        self._seen.clear()

    def _merged(self, host: str, stored: bytes | None) -> tuple[int, bytes]:
        learner = HostLearner.from_bytes(host, stored) if stored else HostLearner(host)
        for sightings in self._seen[host]:
            learner.observe(sightings)
        return learner.pages, learner.to_bytes()
