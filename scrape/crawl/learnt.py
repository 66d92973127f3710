"""The crawl's side of learnt boilerplate: the templates kept in the state, and learning more.

At the start of a run the counts every host has in the state are loaded (`learnt` table); the
run cleans with the templates they give, and counts each article it fetches toward its host's
template; the counts of the hosts it learnt from are saved every `SAVE_EVERY` pages and when
the run ends (a kill loses at most those pages' counts: they are statistics, not output).
Reads `clean.learn` (the caller's decision).
"""

from __future__ import annotations

from ..clean.learned import LearntTemplates
from ..clean.learning import HostLearner, Learner
from ..models import Page
from .state import State

SAVE_EVERY = 200  # pages learnt between two saves


class CrawlLearning:
    """The learner of one run, over the state's counts."""

    def __init__(self, state: State):
        self.state = state
        self.learner = Learner(HostLearner.from_bytes(host, data) for host, data in state.learnt_counts())
        self._touched: set[str] = set()
        self._pages = 0

    def templates(self) -> LearntTemplates:
        return self.learner.templates()

    def observe(self, page: Page) -> None:
        """Count an article's blocks toward its host's template."""
        host = self.learner.observe(page)
        if host is None:
            return
        self._touched.add(host)
        self._pages += 1
        if self._pages % SAVE_EVERY == 0:
            self.save()

    def save(self) -> None:
        """Write the counts of the hosts learnt from since the last save."""
        if not self._touched:
            return
        hosts = self.learner.hosts
        self.state.save_learnt({h: (hosts[h].pages, hosts[h].to_bytes()) for h in sorted(self._touched)})
        self._touched.clear()
