"""Dress a real article body with planted noise: as a plain-text dump and as an HTML page.

Reusable by any benchmark that needs realistic noise with a known answer (bench/noise.py; a
later benchmark of per-site learned boilerplate can build multi-page sites from one `Site`).

    bank = load_bank()                                     # bench/noise_bank/<lang>.toml
    site = make_site(bank, "en", "A", name="HotAir", domain="hotair.com", seed=7)
    item = dress(story, site, headlines, seed=1)           # item.dump, item.page, item.noise

* A **Site** is a template: its invented class names (never words that class-name heuristics
  know, such as "ad" or "related"), its layout choices (`<article>` or plain divs, JSON-LD,
  meta tags or neither, where the byline and the widgets sit) and the wordings it uses, drawn
  from one half of the bank. Pages dressed with the same Site share all of these, as the pages
  of one real site do.
* **dress** places the site's noise around a Story's paragraphs at realistic places (ad slots
  mid-body, a widget heading with 3-6 teaser headlines of other stories between paragraphs or
  at the foot, promo + button, newsletter line, read-also line with another story's headline,
  share / comment / audio / reading-time lines, the byline at the head or the foot) and renders
  the same plan as a dump and as a page. Every planted string is recorded (`Noise.checks`); a
  wording whose strings occur in the body or the title is not planted on that page (recorded in
  `Dressed.collisions`). Everything is seeded: the same inputs give the same bytes.
"""

from __future__ import annotations

import html
import json
import random
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

BANK_DIR = Path(__file__).resolve().parent / "noise_bank"
LANGS = ("en", "de", "es", "it", "fr")
HALVES = ("A", "B")
CATEGORIES = ("ad", "widget", "promo", "newsletter", "readalso", "share", "byline")
ROLES = {
    "ad": ("label", "ui"),
    "widget": ("heading",),
    "promo": ("pitch", "button"),
    "newsletter": ("pitch", "button"),
    "readalso": ("label",),
    "share": ("share", "comments", "audio", "readtime"),
    "byline": ("shape",),
}
DATE_FIELDS = ("date_long", "date_abbr", "date_num", "date_iso", "date_dmy", "weekday",
               "time12", "time24", "time_h")
PLACEHOLDERS = {
    "ad": set(), "widget": {"site"}, "promo": set(), "newsletter": set(),
    "readalso": {"headline"}, "share": {"n", "min"}, "byline": {"author", *DATE_FIELDS},
}
_FIELD = re.compile(r"\{(\w+)\}")


# ---------------------------------------------------------------------------- the bank

@dataclass(frozen=True)
class Wording:
    lang: str
    category: str
    family: str
    half: str
    role: str
    text: str

    @property
    def family_id(self) -> str:
        return f"{self.lang}:{self.category}:{self.family}"


@dataclass(frozen=True)
class Bank:
    wordings: tuple[Wording, ...]

    def select(self, lang: str | None = None, half: str | None = None, category: str | None = None,
               role: str | None = None) -> list[Wording]:
        return [w for w in self.wordings
                if (lang is None or w.lang == lang) and (half is None or w.half == half)
                and (category is None or w.category == category) and (role is None or w.role == role)]

    def families(self, **kw) -> dict[str, list[Wording]]:
        out: dict[str, list[Wording]] = {}
        for w in self.select(**kw):
            out.setdefault(w.family_id, []).append(w)
        return out


def phrasing_key(text: str) -> str:
    """What makes two wordings the same phrasing: their casefolded words and placeholders in
    order, without punctuation ("READ MORE: {headline}" and "Read more » {headline}" are both
    "read more <headline>"; "{n} comments" and "Comments ({n})" are two phrasings)."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return " ".join(f"<{m.group(1)}>" if m.group(1) else m.group(2)
                    for m in re.finditer(r"\{(\w+)\}|(\w+)", text))


def load_bank(directory: Path = BANK_DIR) -> Bank:
    """Read every <lang>.toml; raise ValueError on a malformed entry."""
    wordings: list[Wording] = []
    for path in sorted(directory.glob("*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        lang = data.get("lang")
        if lang != path.stem:
            raise ValueError(f"{path.name}: lang = {lang!r}, expected {path.stem!r}")
        for category, entries in data.items():
            if category == "lang":
                continue
            if category not in CATEGORIES:
                raise ValueError(f"{path.name}: unknown category {category!r}")
            for entry in entries:
                family, half, role = entry["family"], entry["half"], entry.get("role")
                where = f"{path.name} {category}/{family}"
                if half not in HALVES:
                    raise ValueError(f"{where}: half {half!r}")
                if role not in ROLES[category]:
                    raise ValueError(f"{where}: role {role!r} not in {ROLES[category]}")
                for text in entry["texts"]:
                    unknown = set(_FIELD.findall(text)) - PLACEHOLDERS[category]
                    if unknown:
                        raise ValueError(f"{where}: unknown placeholder(s) {sorted(unknown)} in {text!r}")
                    if category == "readalso" and "{headline}" not in text:
                        raise ValueError(f"{where}: {text!r} has no {{headline}}")
                    if category == "byline" and "{author}" not in text:
                        raise ValueError(f"{where}: {text!r} has no {{author}}")
                    wordings.append(Wording(lang, category, family, half, role, text))
    return Bank(tuple(wordings))


# ---------------------------------------------------------------------------- dates and names

_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
}
_WEEKDAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
    "es": "lunes martes miércoles jueves viernes sábado domingo",
    "it": "lunedì martedì mercoledì giovedì venerdì sabato domenica",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
}
_AP_MONTHS = "Jan. Feb. March April May June July Aug. Sept. Oct. Nov. Dec.".split()
_AND = {"en": "and", "de": "und", "es": "y", "it": "e", "fr": "et"}


def date_fields(iso: str, lang: str) -> dict[str, str]:
    """The byline date fields of one wall-clock time (as written in the ISO string: no
    time-zone conversion) in one language's shapes."""
    d = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    month = _MONTHS[lang].split()[d.month - 1]
    weekday = _WEEKDAYS[lang].split()[d.weekday()]
    day = str(d.day)
    if lang == "en":
        long, dmy = f"{month} {day}, {d.year}", f"{day} {month} {d.year}"
        abbr, num = f"{_AP_MONTHS[d.month - 1]} {day}, {d.year}", f"{d.month:02d}/{d.day:02d}/{d.year}"
    elif lang == "de":
        long = dmy = f"{day}. {month} {d.year}"
        abbr, num = f"{day}. {month[:3]}. {d.year}", f"{d.day:02d}.{d.month:02d}.{d.year}"
    elif lang == "es":
        long = dmy = f"{day} de {month} de {d.year}"
        abbr, num = f"{day} {month[:3]} {d.year}", f"{d.day:02d}/{d.month:02d}/{d.year}"
    else:  # it, fr
        first = "1er" if lang == "fr" and d.day == 1 else day
        long = dmy = f"{first} {month} {d.year}"
        abbr, num = f"{first} {month[:4].rstrip('.')}. {d.year}", f"{d.day:02d}/{d.month:02d}/{d.year}"
    hour12 = d.hour % 12 or 12
    return {
        "date_long": long, "date_abbr": abbr, "date_num": num, "date_iso": d.date().isoformat(),
        "date_dmy": dmy, "weekday": weekday,
        "time12": f"{hour12}:{d.minute:02d} {'AM' if d.hour < 12 else 'PM'}",
        "time24": f"{d.hour:02d}:{d.minute:02d}", "time_h": f"{d.hour}h{d.minute:02d}",
    }


def join_names(names: tuple[str, ...], lang: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {_AND[lang]} " + names[-1]


# ---------------------------------------------------------------------------- story and site

@dataclass(frozen=True)
class Story:
    """A real article: its paragraphs and the metadata its byline will carry."""

    id: str
    lang: str
    title: str
    paragraphs: tuple[str, ...]
    authors: tuple[str, ...]
    published: str  # ISO 8601; the byline shows its wall-clock time
    url: str


# Class names are built from syllables and digits, and none may contain a word that
# class-name heuristics know (nor a content hint: the structure alone must tell).
_KNOWN = ("ad", "ban", "spon", "promo", "rel", "shar", "soc", "com", "news", "sub", "wid", "sid",
          "foot", "head", "nav", "men", "byl", "auth", "dat", "tim", "met", "tea", "pop", "tren",
          "rec", "out", "tab", "rail", "hid", "mod", "prin", "cap", "cred", "tag", "her", "bod",
          "con", "art", "main", "tex", "sto", "pos", "ent", "lin", "box", "asi", "top", "mor",
          "pay", "abo", "anz", "wer", "pub", "lik", "rea", "lis", "sha", "lab", "nl", "par", "pro",
          "dis", "kom", "vid", "img", "pic", "ico", "btn", "but", "form", "mail", "cta", "aud",
          "pla", "sav", "gift", "us", "sex", "ass", "fuk", "nig")
_CONS, _VOWELS = "bdfgklmnprstvz", "aeiou"


def _syllables(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_CONS) + rng.choice(_VOWELS) for _ in range(n))


def _class_maker(rng: random.Random):
    style = rng.choice(("dash-digit", "bem", "utility", "module", "short"))
    used: set[str] = set()

    def make() -> str:
        while True:
            a, b = _syllables(rng, rng.randint(1, 2)), _syllables(rng, rng.randint(1, 2))
            d = rng.randint(1, 99)
            name = {"dash-digit": f"{a}-{d}", "bem": f"c-{a}__{b}", "utility": f"u-{a}{d}{b}",
                    "module": f"{a.capitalize()}_{b}__{rng.choice('xqjw')}{d}{rng.choice('kqxz')}",
                    "short": f"{a}{b[:1]}{d}"}[style]
            if name not in used and not any(k in name.lower() for k in _KNOWN):
                used.add(name)
                return name

    return make


_CLASS_ROLES = ("page", "top", "toplinks", "wrap", "story", "h1", "lede", "bodycol", "slot",
                "slotlabel", "slotbox", "slotui", "box", "boxhead", "boxlist", "boxitem", "also",
                "pitch", "pitchline", "pitchbutton", "signup", "signupline", "bar", "barlink",
                "count", "listen", "minutes", "credit", "aside", "bottom")
_SECTIONS = {
    "en": ("World", "Politics", "Business", "Sport", "Culture", "Science"),
    "de": ("Politik", "Wirtschaft", "Sport", "Kultur", "Panorama", "Wissen"),
    "es": ("Internacional", "Política", "Economía", "Deportes", "Cultura", "Sociedad"),
    "it": ("Cronaca", "Politica", "Economia", "Sport", "Cultura", "Esteri"),
    "fr": ("International", "Politique", "Économie", "Sport", "Culture", "Société"),
}
_EMAIL_HINT = {"en": "you@example.com", "de": "name@beispiel.de", "es": "tu@correo.es",
               "it": "nome@esempio.it", "fr": "nom@exemple.fr"}
# slot name -> (category, role, probability the site has it)
_SLOTS = (
    ("ad_label", "ad", "label", 1.0), ("ad_ui", "ad", "ui", 0.7),
    ("widget", "widget", "heading", 1.0), ("widget2", "widget", "heading", 0.5),
    ("promo_pitch", "promo", "pitch", 1.0), ("promo_button", "promo", "button", 0.85),
    ("nl_pitch", "newsletter", "pitch", 1.0), ("nl_button", "newsletter", "button", 0.5),
    ("readalso", "readalso", "label", 1.0), ("readalso2", "readalso", "label", 0.5),
    ("share", "share", "share", 1.0), ("comments", "share", "comments", 0.75),
    ("audio", "share", "audio", 0.5), ("readtime", "share", "readtime", 0.4),
    ("byline", "byline", "shape", 1.0),
)


@dataclass(frozen=True)
class Site:
    """A site's template: names, invented class names, layout choices and chosen wordings."""

    name: str
    domain: str
    lang: str
    half: str
    seed: int
    classes: dict[str, str] = field(hash=False)
    wordings: dict[str, Wording] = field(hash=False)  # slot -> wording (absent slots missing)
    article_tag: str = "article"  # or "div"
    metadata: str = "jsonld"  # "jsonld", "meta" or "none"
    time_tag: bool = True
    title_sep: str = " | "
    byline_at: str = "head"  # or "foot"
    share_at: str = "head"  # or "foot"
    widget_at: str = "foot"  # "body", "foot" or "aside"
    promo_at: str = "foot"  # or "body"
    newsletter_at: str = "body"  # or "foot"
    widget_style: int = 0
    tight_foot: bool = False  # dump: foot noise lines separated by one newline, not a blank line
    tight_lists: bool = True  # dump: teaser headlines one per line
    sections: tuple[str, ...] = ()
    author_path: str = "/author/"


def _pick(rng: random.Random, bank: Bank, lang: str, half: str, category: str, role: str,
          avoid: set[str]) -> Wording | None:
    families = bank.families(lang=lang, half=half, category=category, role=role)
    names = sorted(f for f in families if f not in avoid) or sorted(families)
    if not names:
        return None
    return rng.choice(families[rng.choice(names)])


def make_site(bank: Bank, lang: str, half: str, name: str, domain: str, seed: int) -> Site:
    """A site template drawing its wordings from one half of the bank (seeded)."""
    rng = random.Random(f"site:{seed}:{lang}:{half}:{domain}")
    make = _class_maker(rng)
    classes = {role: make() for role in _CLASS_ROLES}
    wordings: dict[str, Wording] = {}
    for slot, category, role, p in _SLOTS:
        if rng.random() >= p:
            continue
        w = _pick(rng, bank, lang, half, category, role, {v.family_id for v in wordings.values()})
        if w is not None:
            wordings[slot] = w
    return Site(
        name=name, domain=domain, lang=lang, half=half, seed=seed, classes=classes, wordings=wordings,
        article_tag=rng.choice(("article", "div")), metadata=rng.choice(("jsonld", "jsonld", "meta", "none")),
        time_tag=rng.random() < 0.6, title_sep=rng.choice((" | ", " - ", " — ", " · ", " :: ")),
        byline_at=rng.choice(("head", "head", "foot")), share_at=rng.choice(("head", "foot")),
        widget_at=rng.choice(("body", "foot", "aside")), promo_at=rng.choice(("foot", "foot", "body")),
        newsletter_at=rng.choice(("body", "foot")), widget_style=rng.randrange(3),
        tight_foot=rng.random() < 0.4, tight_lists=rng.random() < 0.7,
        sections=tuple(rng.sample(_SECTIONS[lang], 4)),
        author_path=rng.choice(("/author/", "/autor/", "/people/", "/team/", "/profil/")),
    )


# ---------------------------------------------------------------------------- planted noise

@dataclass(frozen=True)
class Noise:
    """One planted string (a line, or one teaser headline) and what counts as it being left:
    any of `checks` (the line itself and, for compound lines, its parts) found in the output."""

    category: str
    role: str
    family: str  # the bank's family id; "" for a teaser headline
    text: str
    checks: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    kind: str  # "para" or a noise kind
    zone: str  # "head", "body" or "foot"
    text: str = ""  # a paragraph
    noise: tuple[Noise, ...] = ()
    extra: tuple = ()  # rendering details (e.g. teaser hrefs)


@dataclass(frozen=True)
class Dressed:
    story: Story
    site: Site
    seed: int
    dump: str
    page: str
    noise: tuple[Noise, ...]  # distinct planted strings
    collisions: tuple[str, ...]  # wordings not planted because they occur in the body or title


def norm(text: str) -> str:
    """NFC, no-break spaces as spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(text.split())


def find(needle: str, haystack: str) -> bool:
    """`needle` occurs in `haystack` (both normalised), not inside a longer word."""
    return bool(re.search(r"(?<!\w)" + re.escape(norm(needle)) + r"(?!\w)", haystack))


def _fill(template: str, fields: dict[str, str]) -> str:
    return _FIELD.sub(lambda m: fields[m.group(1)], template)


def _label_part(template: str) -> str:
    return template.replace("{headline}", " ").strip(" :|-–—»›>→·[]()\u00a0")


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", text))[:60] or "x"


class _Planter:
    """Renders a site's wordings for one page, refusing any that collide with the body/title."""

    def __init__(self, story: Story, site: Site, rng: random.Random, avoid: frozenset[str] = frozenset()):
        self.story, self.site, self.rng, self.avoid = story, site, rng, avoid
        self.forbidden = norm(" \n ".join((story.title, *story.paragraphs)))
        self.collisions: list[str] = []
        self.used: set[str] = set()

    def ok(self, checks: tuple[str, ...]) -> bool:
        return all(c.strip() and not find(c, self.forbidden) for c in checks)

    def line(self, slot: str, fields: dict[str, str] | None = None) -> Noise | None:
        w = self.site.wordings.get(slot)
        if w is None:
            return None
        fields = dict(fields or {})
        fields.setdefault("site", self.site.name)
        fields.setdefault("n", str(self.rng.randint(2, 240)))
        fields.setdefault("min", str(self.rng.randint(2, 14)))
        text = _fill(w.text, fields)
        checks: tuple[str, ...] = (text,)
        if w.category == "readalso":
            checks = (text, _label_part(w.text), fields["headline"])
        elif w.category == "byline":
            checks = (text, *(fields[f] for f in DATE_FIELDS
                              if "{" + f + "}" in w.text and len(fields[f]) >= 8))
        if not self.ok(checks):
            self.collisions.append(f"{w.family_id}: {text}")
            return None
        return Noise(w.category, w.role, w.family_id, text, checks)

    def headlines(self, pool: list[str], k: int) -> list[str]:
        out = []
        for h in self.rng.sample(pool, len(pool)):
            h = " ".join(h.split())
            if len(out) == k:
                break
            if h in self.used or norm(h) in self.avoid or norm(h) == norm(self.story.title) or not self.ok((h,)):
                continue
            self.used.add(h)
            out.append(h)
        return out


def _teaser_href(site: Site, rng: random.Random, headline: str) -> str:
    return f"/{_slug(rng.choice(site.sections))}/{_slug(headline)}-{rng.randint(10000, 999999)}"


def plan(story: Story, site: Site, headlines: list[str], seed: int,
         avoid: frozenset[str] = frozenset()) -> tuple[list[Block], list[str]]:
    """Where each noise string goes: head, between paragraphs, or foot. Seeded. `avoid`:
    headlines (normalised) never used as teasers or read-also links."""
    rng = random.Random(f"plan:{seed}:{story.id}:{site.domain}:{site.half}")
    p = _Planter(story, site, rng, avoid)
    paras = list(story.paragraphs)
    gaps = list(range(1, len(paras)))  # after paragraph i (1-based), never before the first
    body: dict[int, list[Block]] = {}
    head: list[Block] = []
    foot: list[Block] = []

    def put(zone: str, block: Block, gap: int | None = None) -> None:
        if zone == "body" and gaps:
            body.setdefault(gap or rng.choice(gaps), []).append(replace(block, zone="body"))
        elif zone == "head":
            head.append(replace(block, zone="head"))
        else:
            foot.append(replace(block, zone="foot"))

    # byline
    fields = date_fields(story.published, story.lang)
    fields["author"] = join_names(story.authors, story.lang)
    by = p.line("byline", fields)
    if by:
        put(site.byline_at, Block("byline", site.byline_at, noise=(by,), extra=(fields,)))
    # share, audio, reading time, comments
    for slot in ("readtime", "audio", "share"):
        n = p.line(slot)
        if n:
            put("head" if slot != "share" else site.share_at, Block(slot, "head", noise=(n,)))
    n = p.line("comments")
    if n:
        put(rng.choice(("head", "foot", "foot")), Block("comments", "foot", noise=(n,)))
    # ad slots: 1-3 between paragraphs, sometimes one more at the foot
    label, ui = p.line("ad_label"), p.line("ad_ui")
    ad_units = tuple(x for x in (label, ui) if x)
    if ad_units:
        for gap in rng.sample(gaps, min(len(gaps), rng.randint(1, 3))):
            put("body", Block("ad", "body", noise=ad_units, extra=(rng.randint(100, 999),)), gap)
        if rng.random() < 0.3:
            put("foot", Block("ad", "foot", noise=ad_units[:1], extra=(rng.randint(100, 999),)))
    # read-also lines with other stories' headlines
    for slot in ("readalso", "readalso2"):
        if slot in site.wordings:
            hs = p.headlines(headlines, 1)
            if hs:
                n = p.line(slot, {"headline": hs[0]})
                if n:
                    put("body", Block("readalso", "body", noise=(n,), extra=(_teaser_href(site, rng, hs[0]),)))
    # promo and newsletter
    units = tuple(x for x in (p.line("promo_pitch"), p.line("promo_button")) if x)
    if units:
        put(site.promo_at, Block("promo", site.promo_at, noise=units))
    units = tuple(x for x in (p.line("nl_pitch"), p.line("nl_button")) if x)
    if units:
        put(site.newsletter_at, Block("newsletter", site.newsletter_at, noise=units))
    # widgets: heading + 3-6 teasers
    for slot, zone in (("widget", site.widget_at), ("widget2", "foot")):
        heading = p.line(slot)
        teasers = p.headlines(headlines, rng.randint(3, 6))
        if heading and len(teasers) >= 2:
            units = (heading, *(Noise("widget", "teaser", "", t, (t,)) for t in teasers))
            hrefs = tuple(_teaser_href(site, rng, t) for t in teasers)
            put("foot" if zone == "aside" else zone, Block("widget", zone, noise=units, extra=hrefs))

    blocks = list(head)
    for i, text in enumerate(paras, start=1):
        blocks.append(Block("para", "body", text=text))
        blocks.extend(body.get(i, []))
    rng.shuffle(foot)
    byline_first = rng.random() < 0.5
    foot.sort(key=lambda b: {"byline": -1 if byline_first else 2, "widget": 1}.get(b.kind, 0))
    blocks.extend(foot)
    return blocks, p.collisions


# ---------------------------------------------------------------------------- the dump

def render_dump(story: Story, site: Site, blocks: list[Block]) -> str:
    parts: list[tuple[str, str]] = [(story.title, "head")]
    for b in blocks:
        if b.kind == "para":
            parts.append((b.text, "body"))
        elif b.kind == "widget":
            sep = "\n" if site.tight_lists else "\n\n"
            parts.append((b.noise[0].text + sep + sep.join(n.text for n in b.noise[1:]), b.zone))
        else:
            parts.append(("\n".join(n.text for n in b.noise), b.zone))
    out = parts[0][0]
    for (text, zone), (_, prev_zone) in zip(parts[1:], parts[:-1]):
        tight = site.tight_foot and zone == "foot" and prev_zone == "foot"
        out += ("\n" if tight else "\n\n") + text
    return out + "\n"


# ---------------------------------------------------------------------------- the page

def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _segments(template: str, fields: dict[str, str]) -> list[tuple[str, str]]:
    """[(field name or "", rendered text)] in order."""
    out, pos = [], 0
    for m in _FIELD.finditer(template):
        if m.start() > pos:
            out.append(("", template[pos:m.start()]))
        out.append((m.group(1), fields[m.group(1)]))
        pos = m.end()
    if pos < len(template):
        out.append(("", template[pos:]))
    return out


def _byline_html(site: Site, story: Story, noise: Noise, fields: dict[str, str], c: dict[str, str]) -> str:
    template = site.wordings["byline"].text
    segs = _segments(template, fields)
    date_idx = [i for i, (f, _) in enumerate(segs) if f in DATE_FIELDS]
    wrap = None
    if site.time_tag and date_idx:
        lo, hi = date_idx[0], date_idx[-1]
        if not any(f == "author" for f, _ in segs[lo:hi + 1]):
            wrap = (lo, hi)
    out = []
    for i, (f, text) in enumerate(segs):
        if wrap and i == wrap[0]:
            out.append(f'<time datetime="{_e(story.published)}">')
        if f == "author":
            links = [f'<a href="{site.author_path}{_slug(a)}">{_e(a)}</a>' for a in story.authors]
            if len(links) <= 1:
                out.append("".join(links))
            else:
                out.append(", ".join(links[:-1]) + f" {_AND[story.lang]} " + links[-1])
        else:
            out.append(_e(text))
        if wrap and i == wrap[1]:
            out.append("</time>")
    tag = "div" if site.widget_style != 1 else "p"
    return f'<{tag} class="{c["credit"]}">{"".join(out)}</{tag}>'


def _readalso_html(site: Site, noise: Noise, href: str, c: dict[str, str], headline: str) -> str:
    text = noise.text
    i = text.index(headline)
    before, after = text[:i], text[i + len(headline):]
    strong = "strong" if site.widget_style != 2 else "b"
    parts = []
    if before:
        parts.append(f"<{strong}>{_e(before)}</{strong}>")
    parts.append(f'<a href="{_e(href)}">{_e(headline)}</a>')
    if after:
        parts.append(f"<{strong}>{_e(after)}</{strong}>")
    return f'<p class="{c["also"]}">{"".join(parts)}</p>'


def _widget_html(site: Site, block: Block, c: dict[str, str]) -> str:
    heading, teasers = block.noise[0].text, block.noise[1:]
    items = list(zip(teasers, block.extra))
    if site.widget_style == 0:
        lis = "".join(f'<li class="{c["boxitem"]}"><a href="{_e(h)}">{_e(t.text)}</a></li>' for t, h in items)
        return (f'<section class="{c["box"]}"><h3 class="{c["boxhead"]}">{_e(heading)}</h3>'
                f'<ul class="{c["boxlist"]}">{lis}</ul></section>')
    if site.widget_style == 1:
        cards = "".join(f'<div class="{c["boxitem"]}"><a href="{_e(h)}"><h4>{_e(t.text)}</h4></a></div>'
                        for t, h in items)
        return f'<div class="{c["box"]}"><h2 class="{c["boxhead"]}">{_e(heading)}</h2>{cards}</div>'
    lis = "".join(f'<li><a class="{c["boxitem"]}" href="{_e(h)}">{_e(t.text)}</a></li>' for t, h in items)
    return (f'<aside class="{c["box"]}"><div class="{c["boxhead"]}">{_e(heading)}</div>'
            f'<ol class="{c["boxlist"]}">{lis}</ol></aside>')


def _block_html(site: Site, story: Story, b: Block, c: dict[str, str]) -> str:
    n = b.noise
    if b.kind == "para":
        return f"<p>{_e(b.text)}</p>"
    if b.kind == "byline":
        return _byline_html(site, story, n[0], b.extra[0], c)
    if b.kind == "ad":
        label_tag = ("span", "div", "p")[site.widget_style]
        out = (f'<div class="{c["slot"]}"><{label_tag} class="{c["slotlabel"]}">{_e(n[0].text)}</{label_tag}>'
               f'<div class="{c["slotbox"]}" id="{c["slotbox"]}-{b.extra[0]}" style="min-height:250px"></div></div>')
        if len(n) > 1:
            out += f'<div class="{c["slotui"]}">{_e(n[1].text)}</div>'
        return out
    if b.kind == "widget":
        return _widget_html(site, b, c)
    if b.kind == "readalso":
        headline = b.noise[0].checks[2]
        return _readalso_html(site, n[0], b.extra[0], c, headline)
    if b.kind == "promo":
        out = f'<div class="{c["pitch"]}"><p class="{c["pitchline"]}">{_e(n[0].text)}</p>'
        if len(n) > 1:
            path = {"en": "/join", "de": "/abo/angebote", "es": "/suscripcion", "it": "/abbonamenti",
                    "fr": "/offres"}[story.lang]
            out += f'<a class="{c["pitchbutton"]}" href="{path}?src={c["pitch"]}">{_e(n[1].text)}</a>'
        return out + "</div>"
    if b.kind == "newsletter":
        out = (f'<form class="{c["signup"]}" action="/nl/{c["signup"]}" method="post">'
               f'<p class="{c["signupline"]}">{_e(n[0].text)}</p>'
               f'<input type="email" name="email" placeholder="{_EMAIL_HINT[story.lang]}">')
        if len(n) > 1:
            out += f'<button type="submit">{_e(n[1].text)}</button>'
        return out + "</form>"
    if b.kind == "share":
        url = _e(story.url)
        return (f'<div class="{c["bar"]}"><a class="{c["barlink"]}" href="https://www.facebook.com/sharer/'
                f'sharer.php?u={url}" aria-label="Facebook"></a><a class="{c["barlink"]}" '
                f'href="https://twitter.com/intent/tweet?url={url}" aria-label="X"></a>'
                f'<button type="button" class="{c["barlink"]}">{_e(n[0].text)}</button></div>')
    if b.kind == "comments":
        return f'<div class="{c["count"]}"><a href="#{c["count"]}-list">{_e(n[0].text)}</a></div>'
    if b.kind == "audio":
        return (f'<div class="{c["listen"]}"><button type="button">{_e(n[0].text)}</button>'
                f'<audio preload="none" src="/media/{_slug(story.title)[:30]}.mp3"></audio></div>')
    if b.kind == "readtime":
        return f'<div class="{c["minutes"]}"><span>{_e(n[0].text)}</span></div>'
    raise ValueError(b.kind)


def _head_html(story: Story, site: Site) -> str:
    out = [f'<meta charset="utf-8"><title>{_e(story.title + site.title_sep + site.name)}</title>',
           '<meta name="viewport" content="width=device-width, initial-scale=1">']
    if site.metadata != "none":
        out.append(f'<meta property="og:title" content="{_e(story.title)}">')
        out.append(f'<meta property="og:site_name" content="{_e(site.name)}">')
    if site.metadata == "meta":
        out.append(f'<meta property="article:published_time" content="{_e(story.published)}">')
        out.append(f'<meta name="author" content="{_e(", ".join(story.authors))}">')
    if site.metadata == "jsonld":
        ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title,
              "datePublished": story.published, "inLanguage": story.lang,
              "author": [{"@type": "Person", "name": a} for a in story.authors],
              "publisher": {"@type": "Organization", "name": site.name}}
        out.append('<script type="application/ld+json">' + json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
                   + "</script>")
    return "".join(out)


def render_page(story: Story, site: Site, blocks: list[Block]) -> str:
    c = site.classes
    nav = "".join(f'<li><a href="/{_slug(s)}">{_e(s)}</a></li>' for s in site.sections)
    head = "".join(_block_html(site, story, b, c) for b in blocks if b.zone == "head")
    body = "".join(_block_html(site, story, b, c) for b in blocks if b.zone == "body")
    foot_blocks = [b for b in blocks if b.zone == "foot"]
    aside = "".join(_block_html(site, story, b, c) for b in foot_blocks if b.kind == "widget" and site.widget_at == "aside")
    foot = "".join(_block_html(site, story, b, c) for b in foot_blocks if not (b.kind == "widget" and site.widget_at == "aside"))
    tag = site.article_tag
    year = story.published[:4]
    return (f'<!DOCTYPE html>\n<html lang="{story.lang}"><head>{_head_html(story, site)}</head>\n'
            f'<body class="{c["page"]}"><div class="{c["top"]}"><a href="/">{_e(site.name)}</a>'
            f'<ul class="{c["toplinks"]}">{nav}</ul></div>\n'
            f'<div class="{c["wrap"]}"><{tag} class="{c["story"]}"><h1 class="{c["h1"]}">{_e(story.title)}</h1>'
            f'<div class="{c["lede"]}">{head}</div>\n<div class="{c["bodycol"]}">{body}</div>\n{foot}</{tag}>\n'
            f'<div class="{c["aside"]}">{aside}</div></div>\n'
            f'<div class="{c["bottom"]}">© {year} {_e(site.name)}</div></body></html>\n')


# ---------------------------------------------------------------------------- dressing

def dress(story: Story, site: Site, headlines: list[str], seed: int, avoid: frozenset[str] = frozenset()) -> Dressed:
    """The story dressed with the site's noise, as a dump and as a page (seeded); `avoid`:
    headlines (normalised) the dressing never uses (see `plan`)."""
    blocks, collisions = plan(story, site, headlines, seed, avoid)
    seen: dict[str, Noise] = {}
    for b in blocks:
        for n in b.noise:
            seen.setdefault(n.text, n)
    return Dressed(story=story, site=site, seed=seed, dump=render_dump(story, site, blocks),
                   page=render_page(story, site, blocks), noise=tuple(seen.values()),
                   collisions=tuple(collisions))
