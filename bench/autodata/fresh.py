"""Instruct2DS-local's fresh split: layouts composed at random.

Variants 6-35 of each domain are not written by hand. Each draws, from its
own seed, a container (table, grid of divs, list of "Label: value" items,
definition-list cards), where each field lives (the list page, or the
detail page it links to), the label every field gets (from pools of
wordings, several of them absent from the extractor's lexicon), the
detail-page template, the pagination, the class names (readable, hashed,
none), wrapper depth, number and date formats, and the API's key style
and JSON key names. Variants 6-11 and 12-23 were scored once and then
used for development; 24-35 are the final split, never used for
development (docs/plugins/autodata.md gives every first score).
"""
import hashlib
import html
import json
import random
import time

LABELS = {
    "title": ["Title", "Paper title", "Name", "Headline", "Article"],
    "authors": ["Authors", "By", "Author(s)", "Researchers", "Creators", "Team"],
    "abstract": ["Abstract", "Summary", "Précis", "Overview", "About this paper", "Description"],
    "pdf": ["PDF", "Download", "Full paper", "Manuscript (PDF)", "Get PDF", "Open access copy"],
    "symbol": ["Symbol", "Ticker", "Stock", "Security", "Listing"],
    "date": ["Date", "Trade date", "Day", "As of", "Session date", "Timestamp"],
    "open": ["Open", "Opening price", "Open price", "First", "Start"],
    "high": ["High", "Daily high", "Highest", "Max", "Peak"],
    "low": ["Low", "Daily low", "Lowest", "Min", "Trough"],
    "close": ["Close", "Closing price", "Last price", "Final", "End"],
    "volume": ["Volume", "Shares", "Vol", "Traded volume", "Quantity"],
    "home": ["Home", "Home team", "Host", "Home club", "Local side"],
    "away": ["Away", "Away team", "Visitor", "Visiting team", "Opponent"],
    "home_score": ["Home score", "Home goals", "Home pts", "Goals (home)", "Host score"],
    "away_score": ["Away score", "Away goals", "Visitor score", "Goals (away)", "Opponent score"],
    "venue": ["Venue", "Stadium", "Location", "Arena", "Ground", "Where"],
    "gdate": ["Date", "Match date", "Kick-off", "Day", "Played"],
}
JSON_KEYS = {
    "date": ["date", "t", "ts", "day"], "open": ["open", "o", "opening_price", "px_open"],
    "high": ["high", "h", "max", "px_high"], "low": ["low", "l", "min", "px_low"],
    "close": ["close", "c", "closing_price", "px_close"], "volume": ["volume", "v", "vol", "qty"],
}


def esc(s):
    return html.escape(str(s), quote=True)


class Style:
    def __init__(self, r, v):
        self.r, self.v = r, v
        self.naming = r.choice(["semantic", "hashed", "none"])
        self.depth = r.randrange(0, 3)

    def cls(self, name):
        if self.naming == "none":
            return ""
        if self.naming == "hashed":
            name = "c" + hashlib.md5(f"{self.v}{name}".encode()).hexdigest()[:6]
        return f' class="{name}"'

    def wrap(self, inner):
        for i in range(self.depth):
            inner = f"<div{self.cls('w' + str(i))}>{inner}</div>"
        return inner


def page(title, body):
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{esc(title)}</title></head>\n"
            f"<body><header><a href=\"/\">Home</a></header>\n{body}\n<footer>fresh layout</footer></body></html>\n")


def pairs(st, kind, items):
    """label/value pairs as HTML in one of four templates"""
    if kind == "dl":
        return f"<dl{st.cls('facts')}>" + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in items) + "</dl>"
    if kind == "table":
        return f"<table{st.cls('info')}>" + "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in items) + "</table>"
    if kind == "colon":
        return "".join(f"<p>{esc(k)}: {v}</p>" for k, v in items)
    return "".join(f"<div{st.cls('kv')}><span{st.cls('k')}>{esc(k)}</span><span{st.cls('v')}>{v}</span></div>"
                   for k, v in items)


def listing(st, kind, labels, rows):
    """rows of (field -> html) as a table, grid, list or cards"""
    fields = list(labels)
    if kind == "table":
        head = "".join(f"<th>{esc(labels[f])}</th>" for f in fields)
        body = "".join("<tr>" + "".join(f"<td>{row[f]}</td>" for f in fields) + "</tr>" for row in rows)
        return st.wrap(f"<table{st.cls('data')}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    if kind == "grid":
        head = f"<div{st.cls('hd')}>" + "".join(f"<div>{esc(labels[f])}</div>" for f in fields) + "</div>"
        body = "".join(f"<div{st.cls('row')}>" + "".join(f"<div{st.cls('cell')}>{row[f]}</div>" for f in fields)
                       + "</div>" for row in rows)
        return st.wrap(f"<div{st.cls('grid')}>{head}{body}</div>")
    if kind == "items":
        body = "".join(f"<li{st.cls('it')}>" + " ".join(f"<span>{esc(labels[f])}: {row[f]}</span>" for f in fields)
                       + "</li>" for row in rows)
        return st.wrap(f"<ul{st.cls('items')}>{body}</ul>")
    body = "".join(f"<section{st.cls('card')}><dl>" + "".join(f"<dt>{esc(labels[f])}</dt><dd>{row[f]}</dd>"
                                                           for f in fields) + "</dl></section>" for row in rows)
    return st.wrap(f"<div{st.cls('cards')}>{body}</div>")


def paginate(st, base, n, k, style):
    if style == "numbers":
        url = lambda j: f"{base}/list?p={j + 1}"
        nav = " ".join(f"<a href=\"{url(j)}\">{j + 1}</a>" for j in range(n))
    elif style == "offset":
        url = lambda j: f"{base}/list?start={j * 10}"
        nav = f"<a href=\"{url(k + 1)}\">{st.r.choice(['Next', 'More', '»'])}</a>" if k + 1 < n else ""
    else:
        url = lambda j: f"{base}/list/page{j + 1}.html"
        nav = f"<a rel=\"next\" href=\"{url(k + 1)}\">Next page</a>" if k + 1 < n else ""
    return url, f"<nav class=\"pages\">{nav}</nav>" if style != "numbers" else f"<p>{nav}</p>"


def academic(seed, v, words, first, last):
    r = random.Random(f"fresh/academic/{seed}/{v}")
    st = Style(r, v)
    base = f"/academic/v{v}"
    labels = {f: r.choice(LABELS[f]) for f in ("title", "authors", "abstract", "pdf")}
    container = r.choice(["table", "grid", "items", "cards"])
    detail_kind = r.choice(["dl", "table", "colon", "spans"])
    in_list = {"authors": r.random() < 0.5, "pdf": r.random() < 0.5}
    pagestyle = r.choice(["next", "numbers", "offset"])
    author_fmt = r.choice(["links", "commas", "and"])
    papers = []
    for i in range(18 + r.randrange(14)):
        t = " ".join(r.sample(words, r.randrange(3, 7))).capitalize() + f" {i}"
        authors = list(dict.fromkeys(f"{r.choice(first)} {r.choice(last)}" for _ in range(r.randrange(1, 4))))
        papers.append({"id": f"f{v}{i:03d}", "title": t, "authors": authors,
                       "abstract": f"This paper studies {t.lower()} and reports {r.randrange(2, 30)} findings.",
                       "pdf": f"{base}/pdf/f{v}{i:03d}.pdf"})

    def authors_html(p):
        if author_fmt == "links":
            return ", ".join(f"<a href=\"{base}/people/{a.replace(' ', '_')}\">{esc(a)}</a>" for a in p["authors"])
        if author_fmt == "and" and len(p["authors"]) > 1:
            return esc(", ".join(p["authors"][:-1]) + " and " + p["authors"][-1])
        return esc(", ".join(p["authors"]))

    pages = {}
    per = 10
    n = (len(papers) + per - 1) // per
    url, _ = paginate(st, base, n, 0, pagestyle)
    for k in range(n):
        rows = []
        for p in papers[k * per:(k + 1) * per]:
            row = {"title": f"<a href=\"{base}/item/{p['id']}\">{esc(p['title'])}</a>"}
            if in_list["authors"]:
                row["authors"] = authors_html(p)
            if in_list["pdf"]:
                row["pdf"] = f"<a href=\"{p['pdf']}\">{esc(r.choice(['PDF', 'download', 'file']))}</a>"
            rows.append(row)
        labs = {f: labels[f] for f in rows[0]}
        _, nav = paginate(st, base, n, k, pagestyle)
        pages[url(k)] = page("Papers", f"<h1>Papers</h1>{listing(st, container, labs, rows)}{nav}")
    pages[f"{base}/"] = page("Proceedings", f"<p><a href=\"{url(0)}\">All papers</a></p>")
    for p in papers:
        items = []
        if not in_list["authors"]:
            items.append((labels["authors"], authors_html(p)))
        items.append((labels["abstract"], esc(p["abstract"])))
        if not in_list["pdf"]:
            items.append((labels["pdf"], f"<a href=\"{p['pdf']}\">{esc(p['id'])}.pdf</a>"))
        pages[f"{base}/item/{p['id']}"] = page(p["title"], f"<h1>{esc(p['title'])}</h1>" + pairs(st, detail_kind, items))
    truth = [{k: p[k] for k in ("title", "authors", "abstract", "pdf")} for p in papers]
    return {"pages": pages, "truth": truth, "start": f"{base}/", "api": {}}


def finance(seed, v, letters):
    r = random.Random(f"fresh/finance/{seed}/{v}")
    st = Style(r, v)
    base = f"/finance/v{v}"
    labels = {f: r.choice(LABELS[f]) for f in ("symbol", "date", "open", "high", "low", "close", "volume")}
    container = r.choice(["table", "grid", "cards"])
    ctx_kind = r.choice(["dl", "colon", "spans"])
    datefmt = r.choice(["%Y-%m-%d", "%b %d, %Y", "%d %B %Y"])
    money = r.random() < 0.5
    keystyle = r.choice(["header", "param"])
    jkeys = {f: r.choice(JSON_KEYS[f]) for f in JSON_KEYS}
    key = "fk-" + hashlib.sha256(f"{seed}{v}".encode()).hexdigest()[:10]
    ep = f"{base}/api/v1/history"
    syms = []
    while len(syms) < 4 + r.randrange(3):
        s = "".join(r.choice(letters) for _ in range(3))
        if s not in syms:
            syms.append(s)
    pages, api, truth = {}, {}, []
    for s in syms:
        px = r.uniform(5, 400)
        rows = []
        for d in range(20 + r.randrange(8)):
            o = round(px, 2)
            c = round(max(1.0, px * (1 + r.gauss(0, 0.02))), 2)
            rows.append({"symbol": s, "date": time.strftime("%Y-%m-%d", time.gmtime(1700000000 + 86400 * d)),
                         "open": o, "high": round(max(o, c) * 1.01, 2), "low": round(min(o, c) * 0.99, 2),
                         "close": c, "volume": r.randrange(1000, 9000000)})
            px = c
        rows.reverse()
        truth += rows
        shown, rest = rows[:10], rows[10:]

        def cell(f, x):
            if f == "date":
                return time.strftime(datefmt, time.strptime(x["date"], "%Y-%m-%d"))
            if f == "volume":
                return f"{x['volume']:,}" if money else str(x["volume"])
            return f"${x[f]:,.2f}" if money else str(x[f])
        cols = {f: labels[f] for f in ("date", "open", "high", "low", "close", "volume")}
        body = listing(st, container, cols, [{f: cell(f, x) for f in cols} for x in shown])
        ctx = pairs(st, ctx_kind, [(labels["symbol"], s)])
        if keystyle == "header":
            call = f"fetch('{ep}?symbol={s}&page=' + n, {{headers: {{'X-Api-Token': KEY}}}})"
        else:
            call = f"fetch('{ep}?symbol={s}&apikey=' + KEY + '&page=' + n)"
        script = f"<script>const KEY = \"{key}\";\nfunction older(n) {{ return {call}.then(r => r.json()); }}\nolder(1);</script>"
        pages[f"{base}/stock/{s}"] = page(s, f"<h1>{s}</h1>{ctx}{body}{script}")
        for k in range((len(rest) + 9) // 10):
            chunk = rest[k * 10:(k + 1) * 10]
            api[(s, k + 1)] = {"symbol": s, "page": k + 1, "data": [{jkeys[f]: x[f] for f in jkeys} for x in chunk]}
    pages[f"{base}/"] = page("Stocks", "<ul>" + "".join(f"<li><a href=\"{base}/stock/{s}\">{s}</a></li>" for s in syms) + "</ul>")
    return {"pages": pages, "truth": truth, "start": f"{base}/", "api": api, "ep": ep, "key": key,
            "keystyle": keystyle}


def sports(seed, v, cities, beasts):
    r = random.Random(f"fresh/sports/{seed}/{v}")
    st = Style(r, v)
    base = f"/sports/v{v}"
    labels = {"date": r.choice(LABELS["gdate"])}
    labels.update({f: r.choice(LABELS[f]) for f in ("home", "away", "home_score", "away_score", "venue")})
    container = r.choice(["table", "grid", "items", "cards"])
    detail_kind = r.choice(["dl", "table", "colon", "spans"])
    teams = [f"{c} {b}" for c, b in zip(r.sample(cities, 8), r.sample(beasts, 8))]
    games = []
    for rd in range(4):
        order = teams[:]
        r.shuffle(order)
        for g in range(4):
            h, a = order[2 * g], order[2 * g + 1]
            games.append({"id": f"m{v}{rd}{g}", "round": rd + 1,
                          "date": time.strftime("%Y-%m-%d", time.gmtime(1710000000 + 86400 * (7 * rd + g))),
                          "home": h, "away": a, "home_score": r.randrange(0, 7), "away_score": r.randrange(0, 7),
                          "venue": f"{h.split()[0]} Park"})
    scripted = {4} if r.random() < 0.5 else set()
    ep = f"{base}/data/round"
    rows = []
    for gm in games:
        if gm["round"] in scripted:
            continue
        rows.append({"date": gm["date"], "home": f"<a href=\"{base}/match/{gm['id']}\">{esc(gm['home'])}</a>",
                     "away": esc(gm["away"]), "venue": esc(gm["venue"])})
    cols = {f: labels[f] for f in ("date", "home", "away", "venue")}
    script = ""
    if scripted:
        script = (f"<script>function round(n) {{ fetch('{ep}?n=' + n).then(r => r.json()).then(show); }}\n"
                  + "".join(f"round({x});" for x in scripted) + "</script>")
    pages = {f"{base}/": page("Fixtures", f"<h1>Fixtures</h1>{listing(st, container, cols, rows)}{script}")}
    for gm in games:
        items = [(labels["home_score"], gm["home_score"]), (labels["away_score"], gm["away_score"])]
        pages[f"{base}/match/{gm['id']}"] = page("Match", f"<h1>{esc(gm['home'])} v {esc(gm['away'])}</h1>"
                                                          + pairs(st, detail_kind, items))
    api = {}
    for rd in scripted:
        api[(str(rd), 1)] = {"round": rd, "matches": [
            {"date": g["date"], "home": g["home"], "away": g["away"], "venue": g["venue"],
             "home_score": g["home_score"], "away_score": g["away_score"]} for g in games if g["round"] == rd]}
    truth = [{k: g[k] for k in ("date", "home", "away", "home_score", "away_score", "venue")} for g in games]
    return {"pages": pages, "truth": truth, "start": f"{base}/", "api": api, "ep": ep}
