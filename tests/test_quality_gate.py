"""Quality gate: scrape's figures on ../shared/corpora must not fall below bench/floors.json.

Runs bench/quality.py's benchmark for scrape alone (no trafilatura anchors), scored with the
corpora README's rules. Floors only ever go up: raise them with
`python bench/quality.py --no-anchors --raise-floors`, never edit one down to pass.
Without the corpora (a clone without ../shared beside it) the test is skipped.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load_quality():
    spec = importlib.util.spec_from_file_location("bench_quality", BENCH / "quality.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


quality = _load_quality()
FLOORS = quality.load_floors()


@pytest.fixture(scope="module")
def scrape_figures():
    if not quality.DEFAULT_CORPORA.is_dir():
        pytest.skip(f"no corpora at {quality.DEFAULT_CORPORA}: the quality gate needs "
                    "../shared/corpora beside the repository")
    present = {p.name for p in quality.find_corpora(quality.DEFAULT_CORPORA)}
    missing = set(FLOORS) - present
    if missing:
        pytest.fail(f"floors are set for corpora missing from {quality.DEFAULT_CORPORA}: "
                    f"{', '.join(sorted(missing))}")
    result = quality.run_benchmark(quality.DEFAULT_CORPORA, sorted(FLOORS), anchors=False)
    return result.figures[quality.SCRAPE]


def test_floors_exist():
    assert FLOORS, f"{quality.FLOORS} holds no floors"
    for corpus, mins in FLOORS.items():
        assert set(mins) <= set(quality.FLOOR_KEYS), f"{corpus}: unknown floor keys {set(mins)}"


@pytest.mark.parametrize("corpus", sorted(FLOORS))
def test_no_figure_below_its_floor(scrape_figures, corpus):
    figures = scrape_figures[corpus]
    problems = quality.check_floors({corpus: figures}, {corpus: FLOORS[corpus]})
    assert not problems, (
        "scrape's quality fell below the floors in bench/floors.json:\n  "
        + "\n  ".join(problems)
        + "\nDebug with: python bench/quality.py --no-anchors --no-write --corpus "
        + f"{corpus} --failures 10\nmeasured: "
        + json.dumps({k: v for k, v in figures.items() if k in FLOORS[corpus]})
    )


@pytest.mark.parametrize("corpus", sorted(FLOORS))
def test_cleaner_raises_nothing_but_skips(scrape_figures, corpus):
    errors = scrape_figures[corpus]["errors"]
    assert not errors, "scrape raised on corpus pages (only SkipError is allowed):\n  " + \
        "\n  ".join(errors[:20])


def _load_unseen():
    spec = importlib.util.spec_from_file_location("bench_unseen_metadata", BENCH / "unseen_metadata.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_metadata_on_hand_labelled_pages_not_below_its_floor():
    """Titles, authors and dates on the hand-labelled pages (fixtures/labels): the zyte pages,
    whose publishers no metadata rule was tuned on, and readability's unknown fields, against
    bench/floors_unseen.json."""
    unseen = _load_unseen()
    floors = quality.load_floors(unseen.FLOORS)
    assert floors, f"{unseen.FLOORS} holds no floors"
    missing = [name for name in floors
               if not (quality.DEFAULT_CORPORA / name.removesuffix("-labels") / "cases.jsonl").is_file()]
    if missing:
        pytest.skip(f"no corpora at {quality.DEFAULT_CORPORA} for {', '.join(missing)}: "
                    "the labelled pages live there")
    figures = unseen.scrape_figures(quality.DEFAULT_CORPORA)
    problems = quality.check_floors(figures, floors)
    assert not problems, ("scrape's metadata on the hand-labelled pages fell below its floors:\n  "
                          + "\n  ".join(problems)
                          + "\nDebug with: python bench/unseen_metadata.py --no-write --failures")
