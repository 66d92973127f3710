"""The scoring rules of ../shared/corpora/README.md, exactly, so that figures compare."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_WORD = re.compile(r"\w+")


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _WORD.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def zyte_page(prediction: str, truth: str) -> tuple[float | None, float, bool]:
    """Zyte rule for one page: (precision or None when the prediction is empty, recall, exact)."""
    pred, gold = _shingles(prediction), _shingles(truth)
    exact = _WORD.findall(prediction or "") == _WORD.findall(truth or "")
    if not pred:
        return None, 0.0, exact
    tp = sum((pred & gold).values())
    precision = tp / sum(pred.values())
    recall = tp / sum(gold.values()) if gold else 0.0
    return precision, recall, exact


def zyte_corpus(pages: list[tuple[float | None, float, bool]]) -> dict:
    """Average precision over non-empty predictions and recall over all; F1 of the averages."""
    precisions = [p for p, _, _ in pages if p is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(r for _, r, _ in pages) / len(pages) if pages else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(e for _, _, e in pages) / len(pages) if pages else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "accuracy": accuracy}


def token_page(prediction: str, truth: str) -> tuple[float, float, float]:
    """Token rule for one page: whitespace tokens, multiset overlap; empty prediction is 0/0/0."""
    pred, gold = Counter((prediction or "").split()), Counter((truth or "").split())
    if not pred or not gold:
        return 0.0, 0.0, 0.0
    tp = sum((pred & gold).values())
    precision, recall = tp / sum(pred.values()), tp / sum(gold.values())
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1


def _norm_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def title_equal(prediction: str | None, truth: str) -> bool:
    return _norm_text(prediction or "") == _norm_text(truth)


_LEAD = re.compile(r"^(by|von|par|por)\s+")
_SPLIT = re.compile(r"[,;|&/]|\s+and\s+")
_PUNCT = re.compile(r"[^\w\s]")


def _author_set(names) -> set[str]:
    out = set()
    for name in names or []:
        for part in _SPLIT.split(unicodedata.normalize("NFKC", name).casefold()):
            part = _LEAD.sub("", part.strip())
            part = " ".join(_PUNCT.sub("", part).split())
            if part:
                out.add(part)
    return out


def authors_exact(prediction, truth) -> bool:
    return _author_set(prediction) == _author_set(truth)


def date_scores(prediction: str | None, truth: str) -> tuple[bool, bool]:
    """(same calendar day, within one day), comparing each side's own date part."""
    from datetime import date

    if not prediction:
        return False, False
    try:
        p, t = date.fromisoformat(prediction[:10]), date.fromisoformat(truth[:10])
    except ValueError:
        return False, False
    return p == t, abs((p - t).days) <= 1
