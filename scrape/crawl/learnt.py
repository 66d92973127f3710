"""The crawl's side of learnt boilerplate: the templates kept in the state, and learning more.

At the start of a run the counts every host has in the state are loaded (its `learnt` table,
on either back-end); the run cleans with the templates they give, and counts each article it
fetches toward its host's template, in memory (no state call from the event loop); the counts
of the hosts it learnt from are saved when the run ends, whatever way it ends but a kill (which
loses that run's counts: statistics, not output). Workers sharing a PostgreSQL state each save
theirs; the last to end stands. Reads `clean.learn` (the caller's decision).
"""

from __future__ import annotations

import logging

from ..clean.learned import LearntTemplates
from ..clean.learning import HostLearner, Learner
from ..errors import OutputError
from ..models import Page
from .state import StateStore

log = logging.getLogger(__name__)


class CrawlLearning:
    """The learner of one run, over the state's counts."""

    def __init__(self, state: StateStore):
        self.state = state
        self.learner = Learner(HostLearner.from_bytes(host, data) for host, data in state.learnt_counts())
        self._touched: set[str] = set()

    def templates(self) -> LearntTemplates:
        return self.learner.templates()

    def observe(self, page: Page) -> None:
        """Count an article's blocks toward its host's template."""
        host = self.learner.observe(page)
        if host is not None:
            self._touched.add(host)

    def save(self) -> None:
        """Write the counts of the hosts learnt from; a state that takes no writes (a full
        disk) loses them with a warning: the run's own error, if any, is the one to tell."""
        if not self._touched:
            return
        hosts = self.learner.hosts
        try:
            self.state.save_learnt({h: (hosts[h].pages, hosts[h].to_bytes()) for h in sorted(self._touched)})
        except OutputError as exc:
            log.warning("learnt boilerplate not saved: %s", exc)
            return
        self._touched.clear()
