"""Noise left by scrape on dumps and pages dressed with the probe wordings (issue 20).

The probe wordings (fixtures/noise_probe/) were written to find what the general mechanisms
miss without looking at the bank's held-out half: the same bodies as bench/noise.py, dressed
from the probe's families only, cleaned as a dump and as a page; prints strings left by role
(and each one with --show-left). No trafilatura, nothing written.

    python bench/noise_probe.py [CORPORA] [--show-left] [--lang en,de]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dress  # noqa: E402
import noise  # noqa: E402

PROBE = Path(__file__).resolve().parent.parent / "fixtures" / "noise_probe"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpora", nargs="?", type=Path, default=noise.DEFAULT_CORPORA)
    ap.add_argument("--show-left", action="store_true")
    ap.add_argument("--lang", default=",".join(dress.LANGS))
    args = ap.parse_args(argv)
    bank = dress.load_bank(PROBE)
    sample = noise.build_sample(args.corpora, bank, args.lang.split(","))
    items = noise.dress_half(sample, bank, "A")
    run = noise.make_scrape()
    planted: Counter[str] = Counter()
    left: dict[str, Counter[str]] = {"dump": Counter(), "page": Counter()}
    free: Counter[str] = Counter()
    for item in items:
        for n in item.noise:
            planted[f"{n.category}/{n.role}"] += 1
        for kind in ("dump", "page"):
            gone = noise.strings_left(item, run(kind, item).text)
            free[kind] += not gone
            for i in gone:
                n = item.noise[i]
                left[kind][f"{n.category}/{n.role}"] += 1
                if args.show_left:
                    print(f"  left {kind} | {item.story.lang} {item.story.id} | {n.category}/{n.role} | {n.text!r}")
    print(f"{len(items)} items; noise-free dumps {free['dump'] / len(items):.3f}, pages {free['page'] / len(items):.3f}")
    print(f"strings left dumps {sum(left['dump'].values())}/{sum(planted.values())}, "
          f"pages {sum(left['page'].values())}/{sum(planted.values())}")
    for role in sorted(planted):
        print(f"  {role:<20} dumps {left['dump'][role]:>4}  pages {left['page'][role]:>4}  of {planted[role]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
