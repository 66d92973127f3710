"""Learnt boilerplate on multi-page sites whose noise is unlike the built-in patterns (issue 18).

Six invented hosts in five languages, each with its own consistent template (bench/dress.py's
`Site`: invented class names, layout choices) dressed with wordings written for this benchmark
(WORDINGS below: new promo pitches and buttons, widget headings, ad labels, read-also labels,
share / comment / audio / reading-time lines, a footer line), none copied from scrape's lexicons
or rules nor from bench/noise_bank. Each host gets 12-25 pages, real article bodies from
../shared/corpora (as bench/noise.py samples them) of its language, each page its own story.

Every page is cleaned as an HTML page and as a text dump (with the page's URL, so that it has
a host), with learning off (built-in rules only) and on (the templates `scrape.learn` takes
from all the pages of the run, as `scrape clean FOLDER` does), and scored as bench/noise.py
scores: noise-free share (no planted string left), body precision / recall (token rule).
Costs: learning's ms per page (the fingerprint pass), cleaning's ms per page off and on, and
the bytes of each host's learnt counts (what the crawl state keeps per host).

    python bench/learned.py [CORPORA] [--show-left] [--no-write]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import dress  # noqa: E402
import noise  # noqa: E402

RESULTS = BENCH / "results" / "learned.md"


@dataclass(frozen=True, eq=False)
class Host:
    name: str
    domain: str
    lang: str
    pages: int
    wordings: dict[str, str]  # slot (dress._SLOTS) -> text; "footer" is this bench's own


WORDINGS = (
    Host("The Lantern", "lantern-daily.example", "en", 22, {
        "ad_label": "Brought to you by the Lantern's friends", "ad_ui": "Why this message?",
        "widget": "Elsewhere in the Lantern", "widget2": "Lantern readers also opened",
        "promo_pitch": "Keep the Lantern lit: readers like you fund every reporter on our beat team.",
        "promo_button": "Chip in now",
        "nl_pitch": "The Wick arrives at dawn with five stories worth your coffee.",
        "nl_button": "Put me on the list",
        "readalso": "Earlier on the beat → {headline}", "share": "Pass it along",
        "comments": "{n} readers weighed in", "audio": "Hear this story read aloud",
        "readtime": "About {min} minutes with this one", "byline": "By {author} | {date_long}",
        "footer": "The Lantern is printed by Harbourlight Media, 14 Quay Road, Portsmouth.",
    }),
    Host("Copperfield Courier", "courier-copperfield.example", "en", 20, {
        "ad_label": "Paid placement", "ad_ui": "Hide this box",
        "widget": "Round the county", "widget2": "Courier picks for you",
        "promo_pitch": "Local news costs money. The Courier costs less than a pint a week.",
        "promo_button": "See the offer",
        "nl_pitch": "Every Friday: the county in ten minutes, straight to your inbox.",
        "nl_button": "Count me in",
        "readalso": "Don't miss | {headline}", "share": "Send to a friend",
        "comments": "Join {n} neighbours in the conversation", "audio": "Listen (beta)",
        "readtime": "Settle in: {min} min", "byline": "By {author}, {date_long}",
        "footer": "Copperfield Courier Ltd, registered in England No. 0481516.",
    }),
    Host("Der Talbote", "talbote.example", "de", 30, {
        "ad_label": "Von Partnern bereitgestellt", "ad_ui": "Warum sehe ich das?",
        "widget": "Was das Tal sonst bewegt", "widget2": "Am meisten geteilt im Talboten",
        "promo_pitch": "Unabhängiger Lokaljournalismus braucht Unterstützer wie Sie – schon ab drei Euro im Monat.",
        "promo_button": "Jetzt Talbote-Freund werden",
        "nl_pitch": "Der Morgenbote: jeden Werktag um sechs Uhr in Ihrem Postfach.", "nl_button": "Eintragen",
        "readalso": "Auch interessant im Tal → {headline}", "share": "Artikel weitergeben",
        "comments": "{n} Leserstimmen", "audio": "Artikel vorlesen lassen",
        "readtime": "Lesedauer etwa {min} Minuten", "byline": "Von {author}, {date_long}",
        "footer": "Der Talbote erscheint im Verlag Hirschgraben GmbH & Co. KG, Talstraße 9.",
    }),
    Host("El Faro del Sur", "farodelsur.example", "es", 14, {
        "ad_label": "Contenido de nuestros aliados", "ad_ui": "Cerrar este espacio",
        "widget": "Lo que se comenta en la comarca", "widget2": "Lo más leído en El Faro",
        "promo_pitch": "El periodismo local necesita lectores comprometidos: únete al Club del Faro.",
        "promo_button": "Quiero unirme",
        "nl_pitch": "Cada mañana, las claves del sur en tu correo.", "nl_button": "Apuntarme",
        "readalso": "También en El Faro » {headline}", "share": "Compártelo",
        "comments": "{n} opiniones de lectores", "audio": "Escucha esta noticia",
        "readtime": "Tiempo de lectura: {min} min", "byline": "Por {author}, {date_long}",
        "footer": "Editorial Faro del Sur S.L., calle del Puerto 12, Cádiz.",
    }),
    Host("La Voce del Borgo", "vocedelborgo.example", "it", 12, {
        "ad_label": "Spazio dei nostri partner", "ad_ui": "Perché vedo questo?",
        "widget": "Dal resto del borgo", "widget2": "I lettori hanno scelto",
        "promo_pitch": "Sostieni l'informazione del territorio: diventa socio della Voce con un caffè al mese.",
        "promo_button": "Diventa socio",
        "nl_pitch": "Il Buongiorno della Voce: ogni mattina le notizie del borgo nella tua casella.",
        "nl_button": "Iscrivimi",
        "readalso": "Dalla redazione: {headline}", "share": "Passaparola",
        "comments": "{n} lettori hanno detto la loro", "audio": "Ascolta l'articolo",
        "readtime": "{min} minuti con la Voce", "byline": "di {author}, {date_long}",
        "footer": "La Voce del Borgo, testata registrata presso il Tribunale di Lucca n. 7/2011.",
    }),
    Host("Le Phare de l'Ouest", "pharedelouest.example", "fr", 14, {
        "ad_label": "Espace proposé par nos partenaires", "ad_ui": "Masquer cet espace",
        "widget": "Ailleurs dans la région", "widget2": "Vos lectures du jour",
        "promo_pitch": "Le Phare vit grâce à ses lecteurs : rejoignez le cercle des abonnés solidaires.",
        "promo_button": "Je rejoins le cercle",
        "nl_pitch": "La Vigie : chaque soir à 18 h, l'essentiel de l'Ouest dans votre boîte.",
        "nl_button": "Recevoir la Vigie",
        "readalso": "Dans nos colonnes ▸ {headline}", "share": "Faire suivre",
        "comments": "{n} réactions de lecteurs", "audio": "Écouter cet article",
        "readtime": "Comptez {min} min", "byline": "Par {author}, le {date_long}",
        "footer": "Le Phare de l'Ouest est édité par la SAS Presse Atlantique, 3 quai Duguay.",
    }),
)
_SLOT_ROLES = {slot: (category, role) for slot, category, role, _ in dress._SLOTS}


def host_bank(host: Host) -> dress.Bank:
    """The host's wordings as a one-half bank, one family per slot, so that make_site draws
    exactly these."""
    wordings = []
    for slot, text in host.wordings.items():
        if slot in _SLOT_ROLES:
            category, role = _SLOT_ROLES[slot]
            wordings.append(dress.Wording(host.lang, category, f"{host.domain}-{slot}", "A", role, text))
    return dress.Bank(tuple(wordings))


def with_footer(item: dress.Dressed, host: Host) -> dress.Dressed:
    """The item with the host's footer line at the foot of the page and of the dump."""
    line = host.wordings["footer"]
    if noise.strings_left(dataclasses.replace(item, noise=(dress.Noise("footer", "line", "", line, (line,)),)),
                          "\n\n".join(item.story.paragraphs)):
        return item
    page = item.page.replace("</body>", f'<div class="{item.site.classes["credit"]}-x">{dress._e(line)}</div></body>')
    planted = dress.Noise("footer", "line", f"{host.domain}-footer", line, (line,))
    return dataclasses.replace(item, page=page, dump=item.dump + "\n" + line + "\n", noise=(*item.noise, planted))


def stories_by_language(corpora: Path) -> tuple[dict[str, list[dress.Story]], dict[str, list[str]]]:
    """Every usable corpus body by language (bench/noise.py's filter and Story), in a seeded
    order, and the teaser headline pools."""
    cases = noise.load_cases(corpora)
    stories: dict[str, list[dress.Story]] = {}
    for lang in dress.LANGS:
        pool = sorted((c for c in cases if c.lang == lang and noise.usable_body(c) and noise._title(c)),
                      key=lambda c: c.id)
        random.Random(f"learned-bench:{lang}").shuffle(pool)
        stories[lang] = [noise.story_for(c)[0] for c in pool]
    return stories, noise.headline_pools(cases, dress.LANGS, dress.load_bank())


def host_bodies(stories: list[dress.Story]) -> frozenset[str]:
    """The paragraphs of the host's stories, which its dressing never uses as teasers: a
    body that keeps its "Read also" link has another story's headline as a paragraph, and
    that headline dressed as a teaser on the host's other pages would be the host's template
    and that page's body at once, so that learning it would count as lost body. (dress.py
    keeps a page's own body out of its noise; this keeps the host's other pages' out too.)"""
    return frozenset(dress.norm(p) for story in stories for p in story.paragraphs)


def build_sites(corpora: Path) -> dict[Host, list[dress.Dressed]]:
    """Each host's pages: its language's bodies first; where the corpora hold too few (es, fr:
    7, it: 1), English ones fill the host up (the template's noise stays in its language)."""
    stories, pools = stories_by_language(corpora)
    sites: dict[Host, list[dress.Dressed]] = {}
    for number, host in enumerate(WORDINGS, start=1):
        chosen = stories[host.lang][:host.pages]
        del stories[host.lang][:host.pages]
        filler = host.pages - len(chosen)
        chosen += stories["en"][-filler:] if filler else []
        del stories["en"][len(stories["en"]) - filler:]
        site = dress.make_site(host_bank(host), host.lang, "A", host.name, host.domain, seed=number)
        avoid = host_bodies(chosen)
        items = []
        for k, story in enumerate(chosen):
            path = "/" + random.Random(f"{host.domain}:{k}").choice(site.sections).lower() + f"/story-{k}.html"
            story = dataclasses.replace(story, lang=host.lang, url=f"https://www.{host.domain}{path}")
            items.append(with_footer(dress.dress(story, site, pools[host.lang], seed=1000 + k, avoid=avoid), host))
        sites[host] = items
    return sites


def _config():
    import scrape

    defaults = scrape.default_config()
    return dataclasses.replace(defaults, sites=(), clean=dataclasses.replace(defaults.clean, min_words=0))


def _clean(kind: str, item: dress.Dressed, config, learnt) -> tuple[noise.Output, float]:
    import scrape

    fn = scrape.clean_text if kind == "dump" else scrape.clean_html
    started = time.process_time()
    try:
        article = fn(item.dump if kind == "dump" else item.page, url=item.story.url, config=config, learnt=learnt)
        out = noise.Output(text=article.text)
    except scrape.SkipError as exc:
        out = noise.Output(skipped=exc.reason)
    return out, time.process_time() - started


def _pages(items: list[dress.Dressed], kind: str):
    import scrape

    for item in items:
        body = (item.dump if kind == "dump" else item.page).encode()
        yield scrape.Page(source=scrape.Source(item.story.url), body=body, kind="text" if kind == "dump" else "html",
                          url=item.story.url, charset="utf-8")


def run(sites: dict[Host, list[dress.Dressed]], show_left: bool, kinds=("page", "dump")) -> dict:
    from scrape.clean.learning import Learner

    config = _config()
    rows: dict = {}
    for kind in kinds:
        learner = Learner()
        started = time.process_time()
        for items in sites.values():
            for page in _pages(items, kind):
                learner.observe(page)
        learn_ms = 1000 * (time.process_time() - started) / sum(len(v) for v in sites.values())
        learnt = learner.templates()
        for host, items in sites.items():
            state = learner.hosts[host.domain].to_bytes() if host.domain in learner.hosts else b""
            template = learnt.hosts.get(host.domain)
            for mode, templates in (("off", None), ("on", learnt)):
                scores, spent = [], 0.0
                for item in items:
                    out, seconds = _clean(kind, item, config, templates)
                    spent += seconds
                    scores.append(noise.score_item(item, out))
                    if show_left:
                        for i in scores[-1]["left"]:
                            print(f"  left | {kind} {mode} | {host.domain} | {item.noise[i].category} | "
                                  f"{item.noise[i].text!r}")
                summary = noise.summarise(items, scores)
                summary["ms"] = 1000 * spent / len(items)
                rows[(kind, host.domain, mode)] = summary
            rows[(kind, host.domain, "learnt")] = {
                "blocks": len(template.blocks) if template else 0, "state_bytes": len(state),
                "pages": len(items), "lang": host.lang}
        rows[(kind, "*", "learn_ms")] = learn_ms
    return rows


def _mean(rows: dict, kind: str, mode: str, key: str, hosts) -> float:
    values = [rows[(kind, h.domain, mode)][key] for h in hosts]
    return sum(values) / len(values)


def render(rows: dict, hosts, kinds=("page", "dump")) -> str:
    out = []
    for kind, label in (("page", "HTML pages"), ("dump", "text dumps")):
        if kind not in kinds:
            continue
        out.append(f"### {label}\n")
        out.append("| host | lang | pages | learnt | state bytes | noise-free off → on | strings left off → on "
                   "| body P off → on | body R off → on | ms/page off → on |")
        out.append("|---|---|---:|---:|---:|---|---|---|---|---|")
        total_pages = 0
        for h in hosts:
            off, on, lt = rows[(kind, h.domain, "off")], rows[(kind, h.domain, "on")], rows[(kind, h.domain, "learnt")]
            total_pages += lt["pages"]
            out.append(
                f"| {h.domain} | {h.lang} | {lt['pages']} | {lt['blocks']} | {lt['state_bytes']:,} | "
                f"{off['noise_free']:.2f} → **{on['noise_free']:.2f}** | "
                f"{off['left'].get('all', 0)} → {on['left'].get('all', 0)} of {on['planted'].get('all', 0)} | "
                f"{off['precision']:.3f} → {on['precision']:.3f} | {off['recall']:.3f} → {on['recall']:.3f} | "
                f"{off['ms']:.1f} → {on['ms']:.1f} |")
        pages = {h.domain: rows[(kind, h.domain, "learnt")]["pages"] for h in hosts}

        def weighted(mode: str, key: str) -> float:
            return sum(rows[(kind, h.domain, mode)][key] * pages[h.domain] for h in hosts) / total_pages

        left = {m: sum(rows[(kind, h.domain, m)]["left"].get("all", 0) for h in hosts) for m in ("off", "on")}
        planted = sum(rows[(kind, h.domain, "on")]["planted"].get("all", 0) for h in hosts)
        out.append(
            f"| **all** | | {total_pages} | | {sum(rows[(kind, h.domain, 'learnt')]['state_bytes'] for h in hosts) // len(hosts):,} (mean) | "
            f"{weighted('off', 'noise_free'):.3f} → **{weighted('on', 'noise_free'):.3f}** | "
            f"{left['off']} → {left['on']} of {planted} | "
            f"{weighted('off', 'precision'):.3f} → **{weighted('on', 'precision'):.3f}** | "
            f"{weighted('off', 'recall'):.3f} → {weighted('on', 'recall'):.3f} | "
            f"{weighted('off', 'ms'):.1f} → {weighted('on', 'ms'):.1f} |")
        out.append(f"\nLearning (the fingerprint pass over every page): {rows[(kind, '*', 'learn_ms')]:.1f} ms per page.\n")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpora", nargs="?", type=Path, default=noise.DEFAULT_CORPORA)
    ap.add_argument("--show-left", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--kind", choices=("page", "dump"), action="append")
    args = ap.parse_args(argv)
    started = time.time()
    sites = build_sites(args.corpora)
    kinds = tuple(args.kind or ("page", "dump"))
    rows = run(sites, args.show_left, kinds)
    table = render(rows, list(sites), kinds)
    print(table)
    elapsed = time.time() - started
    print(f"{elapsed:.0f} s")
    if not args.no_write and len(kinds) == 2:
        when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        RESULTS.write_text(f"# Learnt boilerplate on multi-page sites (bench/learned.py)\n\nMeasured {when} on "
                           f"{noise.machine_line()}, in {elapsed:.0f} s.\n\n{table}\n\n{NOTES}", "utf-8")
    return 0


NOTES = """\
How to read this: each host is one invented site (bench/dress.py `Site`) dressed with its own
wordings (WORDINGS in bench/learned.py, written for this benchmark); every page is a different
real article. *off*: scrape's built-in rules only; *on*: with the templates learnt from all the
pages of the run (`scrape.learn`, as `scrape clean FOLDER` learns from its inputs).
**noise-free** is the share of pages with no planted string left, **strings left** the planted
strings found in the output (bench/noise.py's rule), **body P / R** the token rule against the
original body, **ms/page** the CPU time of cleaning one page, **learnt** the template blocks
learnt for the host, **state bytes** the size of the host's learnt counts (what the crawl state
keeps per host, bounded by `MAX_ENTRIES`). The token rule counts words of noise left in an
output as matching body words the output misses elsewhere ("de", "la" of a promo left *off*
stand in for those of a body subheading both outputs miss), so *off* recall can sit a little
above *on* where no body paragraph kept *off* is missing *on* (pharedelouest's dumps).
No host's teasers are paragraphs of its own stories (`host_bodies`).
"""


if __name__ == "__main__":
    sys.exit(main())
