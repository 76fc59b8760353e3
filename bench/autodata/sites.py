#!/usr/bin/env python3
"""Instruct2DS-local: seeded web sites with ground truth, and the server
that serves them on 127.0.0.1 only (docs/plugins/autodata.md).

  sites.py list                          the sites: domain, variant, split
  sites.py truth --out DIR [--seed S]    DIR/<domain>-v<k>.jsonl, every record
  sites.py serve --port-file F --log F [--seed S] [--storm N] [--rate R]

Three domains, six layout variants each, at /<domain>/v<k>/:
- academic: paper lists with pagination, detail pages, author pages;
- finance: OHLCV tables, and a JSON API with an API key and a rate limit
  that answers 429 with Retry-After;
- sports: schedules and box scores, some rounds loaded by a script from a
  JSON endpoint.
Variants 0-3 are for development; 4 and 5 were held apart until their
first score (docs/plugins/autodata.md gives it), then used for
development too; 6-11 and 12-23 are composed at random by fresh.py, were
scored once and then used for development; 24-35 are composed the same
way from other draws and are never used for development: their score is
the figure of record.

The server answers ETag / Last-Modified revalidation with 304, serves
/robots.txt (which closes /closed/ to every crawler), and appends one line
per request to the log: "METHOD PATH STATUS". --storm N answers the first
N requests for every path with 429 and Retry-After: 1; --rate R allows R
API requests per second per site (more get 429).
"""
import argparse
import hashlib
import html
import json
import os
import random
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DOMAINS = ("academic", "finance", "sports")
VARIANTS = 6
HELDOUT = (4, 5)
FRESH = range(6, 12)  # composed at random by fresh.py; used in development
UNSEEN = range(12, 24)  # composed at random by fresh.py; scored once, then developed on
FINAL = range(24, 36)  # composed at random by fresh.py; never developed on: the figure of record
FIELDS = {
    "academic": ["title", "authors", "abstract", "pdf"],
    "finance": ["symbol", "date", "open", "high", "low", "close", "volume"],
    "sports": ["date", "home", "away", "home_score", "away_score", "venue"],
}
MODIFIED = formatdate(1700000000, usegmt=True)

WORDS = ("adaptive sparse graph neural learning robust efficient scalable federated causal contrastive "
         "representation inference transformer retrieval diffusion quantum protein molecular spectral "
         "kernel bayesian streaming benchmark privacy multimodal temporal hierarchical").split()
FIRST = "Ana Bo Chen Dana Eli Fatima Goran Hana Ivan Jia Kofi Lena Mateo Nia Omar Priya Quinn Rui Sara Tomas".split()
LAST = "Alvarez Brandt Costa Dubois Eriksen Fujita Garcia Haddad Ito Jensen Kowalski Lindqvist Moreau Novak Okafor Petrov".split()
CITIES = "Arden Bexley Corran Dunmore Elston Farrow Glenrock Halden Ivybridge Jarrow Kelby Lorne".split()
BEASTS = "Lions Tigers Bears Wolves Hawks Otters Foxes Rams Owls Bulls Sharks Eagles".split()


def rng_for(seed, domain, variant):
    h = hashlib.sha256(f"{seed}/{domain}/{variant}".encode()).hexdigest()
    return random.Random(int(h[:16], 16))


def esc(s):
    return html.escape(str(s), quote=True)


def cls(variant, name):
    """Class names: readable in some variants, renamed (hashed) in others."""
    if variant in (2, 4, 5):
        return "x" + hashlib.md5(f"{variant}{name}".encode()).hexdigest()[:5]
    return name


def page(title, body, head=""):
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{esc(title)}</title>{head}</head>\n"
            f"<body><nav><a href=\"/\">Home</a> | <a href=\"/about\">About</a></nav>\n{body}\n"
            f"<footer><p>Generated site. Contact: webmaster@example.invalid</p></footer></body></html>\n")


# ---------------------------------------------------------------- academic
def academic(seed, v):
    r = rng_for(seed, "academic", v)
    base = f"/academic/v{v}"
    n = 23 + r.randrange(12)
    papers = []
    titles = set()
    for i in range(n):
        while True:
            t = " ".join(r.sample(WORDS, r.randrange(4, 8))).capitalize()
            if t not in titles:
                titles.add(t)
                break
        authors = [f"{r.choice(FIRST)} {r.choice(LAST)}" for _ in range(r.randrange(1, 5))]
        authors = list(dict.fromkeys(authors))
        abstract = (f"We study {t.lower()}. Our method improves {r.choice(WORDS)} "
                    f"by {r.randrange(2, 40)}% on {r.randrange(3, 12)} benchmarks.")
        pid = f"p{seed % 97}{v}{i:03d}"
        papers.append({"id": pid, "title": t, "authors": authors, "abstract": abstract,
                       "pdf": f"{base}/files/{pid}.pdf", "year": 2023, "pages": r.randrange(6, 14)})
    per = (10, 8, 7, 12, 9, 6)[v]
    pages = {}

    def plink(k):
        if v in (0, 3):
            return f"{base}/papers?page={k + 1}"
        if v in (1, 5):
            return f"{base}/papers/{k + 1}.html" if k else f"{base}/papers/"
        return f"{base}/papers?offset={k * per}"  # 2, 4

    nlist = (len(papers) + per - 1) // per
    for k in range(nlist):
        chunk = papers[k * per:(k + 1) * per]
        items = []
        for p in chunk:
            det = f"{base}/paper/{p['id']}"
            alinks = ", ".join(f"<a href=\"{base}/author/{a.replace(' ', '-').lower()}\">{esc(a)}</a>"
                               for a in p["authors"])
            if v == 0:
                items.append(f"<tr><td><a href=\"{det}\">{esc(p['title'])}</a></td><td>{alinks}</td>"
                             f"<td>{p['year']}</td><td><a href=\"{p['pdf']}\">PDF</a></td></tr>")
            elif v == 1:
                items.append(f"<div class=\"paper\"><h3 class=\"title\"><a href=\"{det}\">{esc(p['title'])}</a></h3>"
                             f"<div class=\"authors\">{alinks}</div><div class=\"venue\">Proceedings {p['year']}</div>"
                             f"<a class=\"pdf\" href=\"{p['pdf']}\">[pdf]</a></div>")
            elif v == 2:
                items.append(f"<li class=\"{cls(v, 'item')}\"><span class=\"{cls(v, 't')}\"><a href=\"{det}\">"
                             f"{esc(p['title'])}</a></span><ul class=\"{cls(v, 'meta')}\"><li>Authors: {alinks}</li>"
                             f"<li>Pages: {p['pages']}</li><li><a href=\"{p['pdf']}\">Download PDF</a></li></ul></li>")
            elif v == 3:
                items.append(f"<li><a href=\"{det}\">{esc(p['title'])}</a></li>")
            elif v == 4:
                items.append(f"<div class=\"{cls(v, 'row')}\"><div class=\"{cls(v, 'c1')}\"><a href=\"{det}\">"
                             f"{esc(p['title'])}</a></div><div class=\"{cls(v, 'c2')}\"><span class=\"{cls(v, 'k')}\">"
                             f"Written by</span> {alinks}</div><div class=\"{cls(v, 'c3')}\"><a href=\"{p['pdf']}\">"
                             f"Full text</a></div></div>")
            else:
                items.append(f"<article class=\"{cls(v, 'card')}\"><dl><dt>Paper</dt><dd><a href=\"{det}\">"
                             f"{esc(p['title'])}</a></dd><dt>Contributors</dt><dd>{alinks}</dd>"
                             f"<dt>Length</dt><dd>{p['pages']} pp.</dd></dl></article>")
        if v == 0:
            body = ("<h1>Accepted papers 2023</h1><table class=\"papers\"><thead><tr><th>Title</th><th>Authors</th>"
                    "<th>Year</th><th>PDF</th></tr></thead><tbody>" + "".join(items) + "</tbody></table>")
        elif v in (2, 3):
            body = f"<h1>Conference papers</h1><ul class=\"{cls(v, 'list')}\">" + "".join(items) + "</ul>"
        else:
            body = f"<main><h2>Programme</h2><div class=\"{cls(v, 'grid')}\">" + "".join(items) + "</div></main>"
        nav = []
        if v in (0, 3):
            nav = [f"<a href=\"{plink(j)}\">{j + 1}</a>" for j in range(nlist)]
        elif k + 1 < nlist:
            label = {1: "Next &raquo;", 2: "next page", 4: "More results", 5: "Older"}[v]
            rel = " rel=\"next\"" if v in (1, 2) else ""
            nav = [f"<a{rel} href=\"{plink(k + 1)}\">{label}</a>"]
        body += f"<div class=\"{cls(v, 'pager')}\">" + " ".join(nav) + "</div>"
        pages[plink(k)] = page(f"Papers, page {k + 1}", body)
    pages[f"{base}/"] = page("Conference 2023", f"<h1>Conference 2023</h1><p>Read the "
                                                 f"<a href=\"{plink(0)}\">accepted papers</a>.</p>")
    authors = {}
    for p in papers:
        det = f"{base}/paper/{p['id']}"
        alinks = ", ".join(f"<a href=\"{base}/author/{a.replace(' ', '-').lower()}\">{esc(a)}</a>"
                           for a in p["authors"])
        for a in p["authors"]:
            authors.setdefault(a, []).append(p)
        if v == 0:
            body = (f"<h1>{esc(p['title'])}</h1><dl><dt>Authors</dt><dd>{alinks}</dd><dt>Abstract</dt>"
                    f"<dd>{esc(p['abstract'])}</dd><dt>PDF</dt><dd><a href=\"{p['pdf']}\">{p['id']}.pdf</a></dd></dl>")
        elif v == 1:
            body = (f"<h1 class=\"title\">{esc(p['title'])}</h1><p class=\"authors\">{alinks}</p>"
                    f"<p><b>Abstract:</b> {esc(p['abstract'])}</p>")
        elif v == 2:
            body = (f"<div class=\"{cls(v, 'paper')}\"><h2>{esc(p['title'])}</h2><div class=\"{cls(v, 'abs')}\">"
                    f"<h4>Abstract</h4><p>{esc(p['abstract'])}</p></div></div>")
        elif v == 3:
            body = (f"<h1>{esc(p['title'])}</h1><table class=\"info\"><tr><th>Authors</th><td>{alinks}</td></tr>"
                    f"<tr><th>Abstract</th><td>{esc(p['abstract'])}</td></tr><tr><th>Paper</th><td>"
                    f"<a href=\"{p['pdf']}\">PDF</a></td></tr><tr><th>Pages</th><td>{p['pages']}</td></tr></table>")
        elif v == 4:
            body = (f"<section><h1>{esc(p['title'])}</h1><div class=\"{cls(v, 'kv')}\"><span>Summary</span>"
                    f"<span>{esc(p['abstract'])}</span></div></section>")
        else:
            body = (f"<section><h1>{esc(p['title'])}</h1><h2>Synopsis</h2><p>{esc(p['abstract'])}</p>"
                    f"<p><a href=\"{p['pdf']}\">Get the PDF</a></p></section>")
        pages[det] = page(p["title"], body)
    for a, ps in authors.items():
        lis = "".join(f"<li><a href=\"{base}/paper/{p['id']}\">{esc(p['title'])}</a> ({p['year']})</li>" for p in ps)
        pages[f"{base}/author/{a.replace(' ', '-').lower()}"] = page(a, f"<h1>{esc(a)}</h1><h2>Publications</h2><ul>{lis}</ul>")
    for p in papers:
        pages[p["pdf"]] = ("%PDF-1.4\n% " + p["title"] + "\n").encode()
    truth = [{"title": p["title"], "authors": p["authors"], "abstract": p["abstract"], "pdf": p["pdf"]}
             for p in papers]
    return {"pages": pages, "truth": truth, "start": f"{base}/", "api": {}}


# ----------------------------------------------------------------- finance
def finance(seed, v):
    r = rng_for(seed, "finance", v)
    base = f"/finance/v{v}"
    syms = []
    while len(syms) < 5 + r.randrange(3):
        s = "".join(r.choice("ABCDEFGHKLMNPRSTUVWXZ") for _ in range(r.randrange(3, 5)))
        if s not in syms:
            syms.append(s)
    key = "k-" + hashlib.sha256(f"{seed}{v}".encode()).hexdigest()[:12]
    ndays = 24 + r.randrange(10)
    shown = 12  # the newest days are on the page; older ones come from the API (variant 5: all of them)
    truth, pages, api = [], {}, {}
    for s in syms:
        px = r.uniform(10, 300)
        rows = []
        t0 = 1696118400  # 2023-10-01
        for d in range(ndays):
            o = round(px, 2)
            c = round(max(1.0, px * (1 + r.gauss(0, 0.02))), 2)
            h = round(max(o, c) * (1 + abs(r.gauss(0, 0.01))), 2)
            lo = round(min(o, c) * (1 - abs(r.gauss(0, 0.01))), 2)
            vol = r.randrange(10000, 5000000)
            date = time.strftime("%Y-%m-%d", time.gmtime(t0 + 86400 * d))
            rows.append({"symbol": s, "date": date, "open": o, "high": h, "low": lo, "close": c, "volume": vol})
            px = c
        rows.reverse()  # newest first, as quote pages show them
        truth += rows
        on_page = [] if v == 5 else rows[:shown]
        rest = rows if v == 5 else rows[shown:]

        def fmt_date(dt):
            if v == 4:
                return time.strftime("%b %d, %Y", time.strptime(dt, "%Y-%m-%d"))
            if v == 3:
                return time.strftime("%d/%m/%Y", time.strptime(dt, "%Y-%m-%d"))
            return dt
        heads = {0: ["Date", "Open", "High", "Low", "Close", "Volume"],
                 1: ["Date", "Open", "High", "Low", "Close", "Adj. close", "Volume"],
                 2: ["Date", "Open", "High", "Low", "Close", "Volume"],
                 3: ["Date", "Open", "Day high", "Day low", "Close", "Vol."],
                 4: ["Session", "Opening", "Max", "Min", "Last", "Shares traded"],
                 5: []}[v]
        body_rows = []
        for x in on_page:
            vals = [fmt_date(x["date"]), x["open"], x["high"], x["low"], x["close"]]
            if v == 1:
                vals.append(round(x["close"] * 0.98, 2))
            vals.append(f"{x['volume']:,}" if v in (3, 4) else x["volume"])
            if v == 3:
                vals[1:5] = [f"${q:,.2f}" for q in vals[1:5]]
            if v == 2:
                body_rows.append(f"<div class=\"{cls(v, 'r')}\">" +
                                 "".join(f"<div class=\"{cls(v, 'c')}\">{q}</div>" for q in vals) + "</div>")
            else:
                body_rows.append("<tr>" + "".join(f"<td>{q}</td>" for q in vals) + "</tr>")
        ident = {0: f"<p>Symbol: <b>{s}</b></p>", 1: f"<dl><dt>Ticker</dt><dd>{s}</dd></dl>",
                 2: f"<p class=\"{cls(v, 'sym')}\">Symbol: {s}</p>", 3: f"<p>Ticker: {s}</p>",
                 4: f"<div class=\"{cls(v, 'hdr')}\"><span>Instrument</span> <span>{s}</span></div>",
                 5: f"<p>Code <b>{s}</b></p>"}[v]
        if v == 2:
            table = (f"<div class=\"{cls(v, 'tbl')}\"><div class=\"{cls(v, 'h')}\">" +
                     "".join(f"<div>{q}</div>" for q in heads) + "</div>" + "".join(body_rows) + "</div>")
        elif v == 5:
            table = "<table id=\"hist\"></table>"
        else:
            table = ("<table class=\"prices\"><thead><tr>" + "".join(f"<th>{q}</th>" for q in heads) +
                     "</tr></thead><tbody>" + "".join(body_rows) + "</tbody></table>")
        ep = f"{base}/api/history" if v != 4 else f"{base}/data/v2/bars"
        hdr = "X-API-Key" if v in (0, 1, 2, 5) else "Authorization"
        keyexpr = "API_KEY" if hdr == "X-API-Key" else "'Bearer ' + API_KEY"
        script = (f"<script>const API_KEY = '{key}';\n"
                  f"async function more(p) {{ const r = await fetch('{ep}?symbol={s}&page=' + p, "
                  f"{{headers: {{'{hdr}': {keyexpr}}}}}); return r.json(); }}\n"
                  f"document.getElementById('older').onclick = () => more(1);</script>")
        body = (f"<h1>{s} share prices</h1>{ident}{table}<button id=\"older\">Older prices</button>{script}")
        pages[f"{base}/quote/{s}"] = page(f"{s} prices", body)
        per = 10
        for k in range(max(1, (len(rest) + per - 1) // per)):
            chunk = rest[k * per:(k + 1) * per]
            if v in (4, 5):
                items = [{"t": x["date"], "o": x["open"], "h": x["high"], "l": x["low"], "c": x["close"],
                          "v": x["volume"]} for x in chunk]
            else:
                items = [{k2: x[k2] for k2 in ("date", "open", "high", "low", "close", "volume")} for x in chunk]
            api[(ep, s, k + 1)] = {"symbol": s, "page": k + 1, "pages": max(1, (len(rest) + per - 1) // per),
                                   "results" if v == 4 else "rows": items}
    lis = "".join(f"<li><a href=\"{base}/quote/{s}\">{s}</a></li>" for s in syms)
    pages[f"{base}/"] = page("Markets", f"<h1>Markets</h1><ul>{lis}</ul>")
    return {"pages": pages, "truth": truth, "start": f"{base}/", "api": api, "key": key, "hdr": hdr,
            "ep": ep}


# ------------------------------------------------------------------ sports
def sports(seed, v):
    r = rng_for(seed, "sports", v)
    base = f"/sports/v{v}"
    teams = [f"{c} {b}" for c, b in zip(r.sample(CITIES, 8), r.sample(BEASTS, 8))]
    games, pages, api = [], {}, {}
    rounds = 5
    t0 = 1709251200  # 2024-03-01
    for rd in range(rounds):
        order = teams[:]
        r.shuffle(order)
        for g in range(4):
            h, a = order[2 * g], order[2 * g + 1]
            gid = f"g{v}{rd}{g}"
            games.append({"id": gid, "round": rd + 1,
                          "date": time.strftime("%Y-%m-%d", time.gmtime(t0 + 86400 * (7 * rd + g))),
                          "home": h, "away": a, "home_score": r.randrange(0, 6), "away_score": r.randrange(0, 6),
                          "venue": f"{h.split()[0]} Arena", "attendance": r.randrange(2000, 40000)})
    scripted = {4, 5} if v in (0, 2, 4) else {5}  # rounds whose games a script loads
    sched_rows = []
    for gm in games:
        box = f"{base}/game/{gm['id']}"
        if gm["round"] in scripted:
            continue
        if v in (0, 3, 4):
            date = gm["date"] if v != 4 else time.strftime("%d %B %Y", time.strptime(gm["date"], "%Y-%m-%d"))
            sched_rows.append(f"<tr><td>{date}</td><td>{esc(gm['home'])}</td><td>{esc(gm['away'])}</td>"
                              f"<td>{esc(gm['venue'])}</td><td><a href=\"{box}\">Box score</a></td></tr>")
        elif v == 1:
            sched_rows.append(f"<li class=\"game\"><span class=\"date\">{gm['date']}</span> "
                              f"<span class=\"home\">{esc(gm['home'])}</span> vs "
                              f"<span class=\"away\">{esc(gm['away'])}</span> at "
                              f"<span class=\"venue\">{esc(gm['venue'])}</span> <a href=\"{box}\">recap</a></li>")
        elif v == 2:
            sched_rows.append(f"<div class=\"{cls(v, 'g')}\"><div><b>Date</b> {gm['date']}</div>"
                              f"<div><b>Home</b> {esc(gm['home'])}</div><div><b>Away</b> {esc(gm['away'])}</div>"
                              f"<div><b>Venue</b> {esc(gm['venue'])}</div><a href=\"{box}\">Details</a></div>")
        else:
            sched_rows.append(f"<div class=\"{cls(v, 'fx')}\"><a href=\"{box}\">{esc(gm['home'])} v "
                              f"{esc(gm['away'])}</a></div>")
        # box score pages
    for gm in games:
        box = f"{base}/game/{gm['id']}"
        if v in (0, 1):
            body = (f"<h1>{esc(gm['home'])} {gm['home_score']} - {gm['away_score']} {esc(gm['away'])}</h1>"
                    f"<table class=\"box\"><tr><th>Home team</th><td>{esc(gm['home'])}</td></tr>"
                    f"<tr><th>Away team</th><td>{esc(gm['away'])}</td></tr>"
                    f"<tr><th>Home score</th><td>{gm['home_score']}</td></tr>"
                    f"<tr><th>Away score</th><td>{gm['away_score']}</td></tr>"
                    f"<tr><th>Venue</th><td>{esc(gm['venue'])}</td></tr>"
                    f"<tr><th>Date</th><td>{gm['date']}</td></tr>"
                    f"<tr><th>Attendance</th><td>{gm['attendance']:,}</td></tr></table>")
        elif v in (2, 3):
            body = (f"<h1>Match report</h1><dl class=\"{cls(v, 'facts')}\"><dt>Home</dt><dd>{esc(gm['home'])}</dd>"
                    f"<dt>Away</dt><dd>{esc(gm['away'])}</dd><dt>Home goals</dt><dd>{gm['home_score']}</dd>"
                    f"<dt>Away goals</dt><dd>{gm['away_score']}</dd><dt>Date</dt><dd>{gm['date']}</dd>"
                    f"<dt>Venue</dt><dd>{esc(gm['venue'])}</dd><dt>Crowd</dt><dd>{gm['attendance']}</dd></dl>")
        elif v == 4:
            body = (f"<h1>Final</h1><div class=\"{cls(v, 'sheet')}\"><p><span>Hosts:</span> {esc(gm['home'])}</p>"
                    f"<p><span>Visitors:</span> {esc(gm['away'])}</p><p><span>Hosts points:</span> "
                    f"{gm['home_score']}</p><p><span>Visitors points:</span> {gm['away_score']}</p>"
                    f"<p><span>Ground:</span> {esc(gm['venue'])}</p></div>")
        else:
            body = (f"<h1>{esc(gm['home'])} v {esc(gm['away'])}</h1><div class=\"{cls(v, 'st')}\">"
                    f"<div class=\"{cls(v, 'p')}\"><span>Played on</span><span>{gm['date']}</span></div>"
                    f"<div class=\"{cls(v, 'p')}\"><span>Home side</span><span>{esc(gm['home'])}</span></div>"
                    f"<div class=\"{cls(v, 'p')}\"><span>Away side</span><span>{esc(gm['away'])}</span></div>"
                    f"<div class=\"{cls(v, 'p')}\"><span>Home result</span><span>{gm['home_score']}</span></div>"
                    f"<div class=\"{cls(v, 'p')}\"><span>Away result</span><span>{gm['away_score']}</span></div>"
                    f"<div class=\"{cls(v, 'p')}\"><span>Stadium</span><span>{esc(gm['venue'])}</span></div></div>")
        pages[box] = page("Game", body)
    ep = f"{base}/api/fixtures" if v != 4 else f"{base}/feed/round.json"
    for rd in scripted:
        rows = [gm for gm in games if gm["round"] == rd]
        if v == 4:
            items = [{"when": g["date"], "hosts": g["home"], "visitors": g["away"], "ground": g["venue"],
                      "hosts_pts": g["home_score"], "visitors_pts": g["away_score"]} for g in rows]
        else:
            items = [{"date": g["date"], "home": g["home"], "away": g["away"], "venue": g["venue"],
                      "home_score": g["home_score"], "away_score": g["away_score"], "id": g["id"]} for g in rows]
        api[(ep, str(rd), 1)] = {"round": rd, "games": items}
    loads = "".join(f"load({rd});" for rd in sorted(scripted))
    script = (f"<script>function load(n) {{ fetch('{ep}?round=' + n).then(r => r.json())"
              f".then(d => render(d)); }}\n{loads}</script>")
    if v in (0, 3, 4):
        hd = ["Date", "Home", "Away", "Venue", ""] if v != 4 else ["When", "Hosts", "Visitors", "Ground", ""]
        sched = ("<table class=\"schedule\"><thead><tr>" + "".join(f"<th>{x}</th>" for x in hd) +
                 "</tr></thead><tbody>" + "".join(sched_rows) + "</tbody></table>")
    elif v == 1:
        sched = "<ul class=\"games\">" + "".join(sched_rows) + "</ul>"
    else:
        sched = f"<div class=\"{cls(v, 'fixtures')}\">" + "".join(sched_rows) + "</div>"
    pages[f"{base}/"] = page("League", f"<h1>Season schedule</h1>{sched}<div id=\"more\"></div>{script}")
    truth = [{k: gm[k] for k in FIELDS["sports"]} for gm in games]
    return {"pages": pages, "truth": truth, "start": f"{base}/", "api": api, "ep": ep}


# ------------------------------------------------------------------ quirks
def quirks(seed):
    """A list whose Title column is filled in only half of its rows, beside
    detail pages whose heading always has the title: the first program takes
    the labelled column, the validator refuses it (title filled in about half
    of the records), and the next turn takes the heading. For the e2e test of
    the engineer-validator loop; not part of the benchmark."""
    r = random.Random(f"quirks/{seed}")
    base = "/quirks/v0"
    rows, pages, truth = [], {}, []
    for i in range(12):
        t = " ".join(r.sample(WORDS, 4)).capitalize() + f" {i}"
        authors = [f"{r.choice(FIRST)} {r.choice(LAST)}" for _ in range(2)]
        det = f"{base}/p/{i}"
        shown = esc(t) if i % 2 == 0 else ""
        rows.append(f"<tr><td>{shown}</td><td>{esc(', '.join(authors))}</td><td><a href=\"{det}\">details</a></td></tr>")
        pages[det] = page(t, f"<h1>{esc(t)}</h1><p>Published 2023.</p>")
        truth.append({"title": t, "authors": authors})
    pages[f"{base}/"] = page("Papers", "<table class=\"papers\"><thead><tr><th>Title</th><th>Authors</th><th></th></tr>"
                                       "</thead><tbody>" + "".join(rows) + "</tbody></table>")
    return {"pages": pages, "truth": truth, "start": f"{base}/", "api": {}}


BUILD = {"academic": academic, "finance": finance, "sports": sports}


def build_fresh(seed, d, v):
    import fresh
    if d == "academic":
        return fresh.academic(seed, v, WORDS, FIRST, LAST)
    if d == "finance":
        return fresh.finance(seed, v, "ABCDEFGHKLMNPRSTUVWXZ")
    return fresh.sports(seed, v, CITIES, BEASTS)


def build_all(seed):
    sites = {(d, v): BUILD[d](seed, v) for d in DOMAINS for v in range(VARIANTS)}
    sites.update({(d, v): build_fresh(seed, d, v) for d in DOMAINS for v in list(FRESH) + list(UNSEEN) + list(FINAL)})
    sites[("quirks", 0)] = quirks(seed)
    return sites


def split_of(v):
    return "final" if v in FINAL else "unseen" if v in UNSEEN else "fresh" if v in FRESH else "heldout" if v in HELDOUT else "dev"


class Server:
    def __init__(self, seed, storm, rate, log):
        self.sites = build_all(seed)
        self.routes = {}
        for site in self.sites.values():
            self.routes.update(site["pages"])
        self.storm, self.rate = storm, rate
        self.seen = {}
        self.api_times = {}
        self.lock = threading.Lock()
        self.log = open(log, "a", buffering=1) if log else None

    def note(self, method, path, status):
        if self.log:
            with self.lock:
                self.log.write(f"{method} {path} {status}\n")


ROBOTS = b"User-agent: *\nDisallow: /closed/\nAllow: /\n"


def make_handler(srv):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def send(self, status, body, ctype="text/html; charset=utf-8", extra=None):
            if isinstance(body, str):
                body = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            srv.note(self.command, self.path, status)

        def do_GET(self):
            u = urlsplit(self.path)
            path, q = u.path, parse_qs(u.query)
            if srv.storm:
                with srv.lock:
                    n = srv.seen.get(self.path, 0)
                    srv.seen[self.path] = n + 1
                if n < srv.storm:
                    return self.send(429, "slow down", "text/plain", {"Retry-After": "1"})
            if path == "/robots.txt":
                return self.send(200, ROBOTS, "text/plain")
            if path.startswith("/closed/"):
                return self.send(200, page("Closed", "<h1>Members only</h1><ul><li>a</li><li>b</li></ul>"))
            for (d, v), site in srv.sites.items():
                if site.get("ep") and path == site["ep"]:
                    return self.api(site, d, q)
            full = path + ("?" + u.query if u.query else "")
            body = srv.routes.get(full, srv.routes.get(path) if not u.query else None)
            if body is None:
                return self.send(404, page("Not found", "<h1>Not found</h1>"))
            ctype = "application/pdf" if path.endswith(".pdf") else "text/html; charset=utf-8"
            raw = body.encode() if isinstance(body, str) else body
            etag = '"' + hashlib.sha256(raw).hexdigest()[:20] + '"'
            hdrs = {"ETag": etag, "Last-Modified": MODIFIED, "Cache-Control": "no-cache"}
            if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == MODIFIED:
                self.send_response(304)
                for k, v in hdrs.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return srv.note("GET", self.path, 304)
            return self.send(200, raw, ctype, hdrs)

        def api(self, site, domain, q):
            if "keystyle" in site:  # a fresh finance site
                got = self.headers.get("X-Api-Token") if site["keystyle"] == "header" else q.get("apikey", [""])[0]
                if got != site["key"]:
                    return self.send(401, json.dumps({"error": "missing or wrong API key"}), "application/json")
                doc = site["api"].get((q.get("symbol", [""])[0], int(q.get("page", ["1"])[0] or 1)))
                if doc is None:
                    return self.send(404, json.dumps({"error": "no such page"}), "application/json")
                return self.send(200, json.dumps(doc), "application/json")
            if domain == "sports" and q.get("n"):  # a fresh sports site
                doc = site["api"].get((q["n"][0], 1))
                if doc is None:
                    return self.send(404, json.dumps({"error": "no such round"}), "application/json")
                return self.send(200, json.dumps(doc), "application/json")
            if domain == "finance":
                got = self.headers.get(site["hdr"], "")
                if got not in (site["key"], "Bearer " + site["key"]):
                    return self.send(401, json.dumps({"error": "missing or wrong API key"}), "application/json")
                if srv.rate:
                    now = time.monotonic()
                    with srv.lock:
                        ts = [t for t in srv.api_times.get(site["ep"], []) if now - t < 1.0]
                        limited = len(ts) >= srv.rate
                        if not limited:
                            ts.append(now)
                        srv.api_times[site["ep"]] = ts
                    if limited:
                        return self.send(429, json.dumps({"error": "rate limited"}), "application/json",
                                         {"Retry-After": "1"})
                key = (site["ep"], q.get("symbol", [""])[0], int(q.get("page", ["1"])[0] or 1))
            else:
                key = (site["ep"], q.get("round", [""])[0], 1)
            doc = site["api"].get(key)
            if doc is None:
                return self.send(404, json.dumps({"error": "no such page"}), "application/json")
            return self.send(200, json.dumps(doc), "application/json")

        do_HEAD = do_GET

    return H


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list")
    t = sub.add_parser("truth")
    t.add_argument("--out", required=True)
    t.add_argument("--seed", type=int, default=7)
    s = sub.add_parser("serve")
    s.add_argument("--port-file", required=True)
    s.add_argument("--log")
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--storm", type=int, default=0)
    s.add_argument("--rate", type=int, default=4)
    a = ap.parse_args()
    if a.cmd == "list":
        for d in DOMAINS:
            for v in list(range(VARIANTS)) + list(FRESH) + list(UNSEEN) + list(FINAL):
                print(f"{d}\tv{v}\t{split_of(v)}\t/{d}/v{v}/\t{','.join(FIELDS[d])}")
        return 0
    if a.cmd == "truth":
        os.makedirs(a.out, exist_ok=True)
        for (d, v), site in build_all(a.seed).items():
            with open(os.path.join(a.out, f"{d}-v{v}.jsonl"), "w") as f:
                for rec in site["truth"]:
                    f.write(json.dumps(rec, sort_keys=True) + "\n")
        return 0
    srv = Server(a.seed, a.storm, a.rate, a.log)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(srv))
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(httpd.server_address[1]))
    os.rename(tmp, a.port_file)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
