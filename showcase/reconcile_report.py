"""Reconciliation outputs, all from one :class:`showcase.reconcile.Result`.

    render_text(result, top=10, per_kind=5) -> str   # the terminal report
    write_csv(result, path)                           # the findings, one row each
    render_html(result) -> str / write_html(result, path)
        # one self-contained page: inline CSS and SVG charts (daily clicks vs actions, commission by
        # status per day and per program), the summary tables, the findings, the reports' parse
        # errors; no script, nothing loaded from anywhere

Files are written to a temp file in the same folder and renamed into place.
"""

from __future__ import annotations

import csv
import html
import io
import os
import secrets
from decimal import Decimal
from pathlib import Path

from showcase.reconcile import FINDING_KINDS, Result

CSV_COLUMNS = ("kind", "network", "action_id", "program", "report_program", "order_id", "status", "paid", "subid",
               "match", "action_time", "report_click_time", "order_amount", "commission", "currency",
               "expected_commission", "tolerance", "difference", "product_id", "page", "click_id", "click_at",
               "click_program", "click_product_id", "click_page", "click_ua_class", "other_action_id", "day",
               "clicks_ours", "clicks_network", "detail", "report", "line")
HTML_FINDINGS_MAX = 2000
TEXT_ERRORS_MAX = 20


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def _money(s: str | None) -> str:
    if s is None:
        return "-"
    d = Decimal(s)
    return f"{d:,.2f}".replace(",", " ")


def _epc(s: str | None) -> str:
    return "-" if s is None else f"{Decimal(s):.2f}"


def _write_atomic(path: Path | str, text: str, newline: str | None = None) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")  # mode as umask says
    try:
        with open(tmp, "x", encoding="utf-8", newline=newline) as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --- terminal ------------------------------------------------------------------------------------------

_SUMMARY_COLUMNS = (("clicks", ">"), ("actions", ">"), ("conv", ">"), ("orders", ">"), ("approved", ">"),
                    ("pending", ">"), ("declined", ">"), ("EPC", ">"), ("appr", ">"), ("rev", ">"))


def _summary_cells(r: dict) -> list[str]:
    c = r["commission"]
    return [str(r["clicks"]), str(r["actions"]), _pct(r["conversion_rate"]), _money(r["order_sum"]),
            _money(c["approved"]), _money(c["pending"]), _money(c["declined"]), _epc(r["epc"]),
            _pct(r["approval_rate"]), _pct(r["reversal_rate"])]


def _table(headers: list[tuple[str, str]], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, (h, _) in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(f"{c:{a}{w}}" for c, (_, a), w in zip(cells, headers, widths, strict=True)).rstrip()

    return [line([h for h, _ in headers]), *(line(r) for r in rows)]


def _section(title: str, key: str, label, rows: list[dict], limit: int | None = None) -> list[str]:
    if not rows:
        return []
    shown = rows[:limit] if limit else rows
    out = ["", title + (f" (top {limit} of {len(rows)})" if limit and len(rows) > limit else "")]
    out += ["  " + x for x in _table([(key, "<"), *_SUMMARY_COLUMNS],
                                     [[label(r)[:48], *_summary_cells(r)] for r in shown])]
    return out


def _finding_line(f: dict) -> str:
    if f["kind"] == "click_count_mismatch":
        return f"{f['program']} {f['day']}: {f['detail']}"
    when = (f["action_time"] or "")[:16].replace("T", " ")
    return (f"{f['action_id']}  {when}  {f['program'] or '?' + f['report_program']}  {f['status']}  "
            f"{_money(f['commission'])}  {f['detail']}")


def render_text(result: Result, top: int = 10, per_kind: int = 5) -> str:
    d = result.to_dict()
    s = d["summary"]
    period = f"{d['period']['since'] or '…'} .. {d['period']['until'] or '…'}"
    out = [f"reconcile {result.network}: {period} (UTC days), amounts in {result.currency}"]
    for imp in d["imports"]:
        if imp["already_imported"]:
            state = "already imported (the same file): nothing applied"
        else:
            state = f"{imp['new']} new, {imp['changed']} changed, {imp['unchanged']} unchanged"
        errors = f"; {len(imp['errors'])} malformed rows skipped" if imp["errors"] else ""
        out.append(f"  {imp['path']}: {imp['format']}, {imp['rows']} rows, {imp['actions']} actions: {state}{errors}")
        for e in imp["errors"][:TEXT_ERRORS_MAX]:
            out.append(f"    {imp['path']}:{e['line'] if e['line'] is not None else '-'}: {e['message']}")
        if len(imp["errors"]) > TEXT_ERRORS_MAX:
            out.append(f"    ... and {len(imp['errors']) - TEXT_ERRORS_MAX} more (--json lists them all)")
    for w in d["warnings"]:
        out.append(f"warning: {w}")
    t = s["total"]
    st = t["actions_by_status"]
    c = t["commission"]
    m = s["matching"]
    out += [
        "",
        f"total     {t['clicks']} human clicks, {t['actions']} actions (approved {st['approved']}, pending "
        f"{st['pending']}, declined {st['declined']}), conversion {_pct(t['conversion_rate'])}",
        f"          orders {_money(t['order_sum'])}; commission approved {_money(c['approved'])}, pending "
        f"{_money(c['pending'])}, declined {_money(c['declined'])}",
        f"          EPC {_epc(t['epc'])} ((approved + pending) / human click), approval {_pct(t['approval_rate'])}, "
        f"reversal {_pct(t['reversal_rate'])}",
        f"matching  {m['click']} by click id, {m['static']} by storefront sub-id (in aggregate), "
        f"{m['no_subid']} without sub-id, {m['unknown_subid']} with an unknown sub-id",
    ]
    out += _section("by program", "program", lambda r: r["program"], s["by_program"])
    out += _section("by day", "day", lambda r: r["day"], s["by_day"], limit=62)
    out += _section("by page", "page", lambda r: r["page"] or "-", s["by_page"], limit=top)
    out += _section("by product", "product", lambda r: f"{r['product_id'] if r['product_id'] is not None else '-'} "
                                                       f"{r.get('title') or ''}".strip(),
                    s["by_product"], limit=top)
    counts = d["finding_counts"]
    total = sum(counts.values())
    out += ["", f"findings  {total}" + (": " + ", ".join(f"{k} {n}" for k, n in counts.items() if n) if total else "")]
    findings = d["findings"]
    for kind in FINDING_KINDS:
        of_kind = [f for f in findings if f["kind"] == kind]
        if not of_kind:
            continue
        out.append(f"  {kind} ({len(of_kind)})")
        for f in of_kind[:per_kind]:
            out.append(f"    {_finding_line(f)}")
        if len(of_kind) > per_kind:
            out.append(f"    ... and {len(of_kind) - per_kind} more (--csv or --json lists them all)")
    return "\n".join(out) + "\n"


# --- CSV ---------------------------------------------------------------------------------------------------


def _csv_row(f: dict) -> list:
    click = f.get("click") or {}
    values = {**f, "click_id": click.get("id"), "click_at": click.get("at"), "click_program": click.get("program"),
              "click_product_id": click.get("product_id"), "click_page": click.get("page"),
              "click_ua_class": click.get("ua_class")}
    return ["" if values.get(c) is None else values[c] for c in CSV_COLUMNS]


def write_csv(result: Result, path: Path | str) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for f in result.findings:
        w.writerow(_csv_row(f.to_dict()))
    _write_atomic(path, buf.getvalue(), newline="")


# --- HTML --------------------------------------------------------------------------------------------------

_COLORS = {"clicks": "#9db7d5", "actions": "#c0392b", "approved": "#2e8b57", "pending": "#e0a526",
           "declined": "#b03a2e"}
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1180px;
padding:0 16px;color:#1d232a}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #dde3ea;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #edf0f3;
text-align:right;vertical-align:top}th{background:#f4f6f8}td.l,th.l{text-align:left}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #dde3ea;border-radius:6px;padding:8px 12px;
min-width:130px}.card b{display:block;font-size:18px}.muted{color:#66717d}.err{color:#9c2a1f}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;
margin-right:4px}svg{max-width:100%;height:auto;background:#fff}svg text{font:11px system-ui,sans-serif;fill:#444}
.kind{font-family:ui-monospace,monospace;white-space:nowrap}
"""


def _e(x) -> str:
    return html.escape("" if x is None else str(x))


def _legend(items: list[tuple[str, str]]) -> str:
    return '<p class="legend">' + "".join(f'<span><i style="background:{c}"></i>{_e(n)}</span>'
                                          for n, c in items) + "</p>"


def _label_positions(n: int) -> list[int]:
    """Which of n bars get an x label: about 8, the first and the last, none crowding the last."""
    step = max(1, n // 8)
    out = list(range(0, n, step))
    if out[-1] != n - 1:
        if n - 1 - out[-1] <= step / 2 and len(out) > 1:
            out.pop()
        out.append(n - 1)
    return out


def _days_chart(days: list[dict]) -> str:
    """Bars: human clicks per day (left scale); line and dots: actions per day (right scale)."""
    if not days:
        return '<p class="muted">No clicks or actions in the period.</p>'
    w, h, left, right, top, bottom = 900, 240, 48, 48, 12, 36
    n = len(days)
    step = (w - left - right) / n
    cmax = max(1, *(d["clicks"] for d in days))
    amax = max(1, *(d["actions"] for d in days))
    inner = h - top - bottom
    parts = [f'<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
             f'aria-label="Human clicks and actions per day">',
             f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="#999"/>',
             f'<text x="{left - 6}" y="{top + 8}" text-anchor="end">{cmax}</text>',
             f'<text x="{left - 6}" y="{h - bottom}" text-anchor="end">0</text>',
             f'<text x="{w - right + 6}" y="{top + 8}" fill="{_COLORS["actions"]}">{amax}</text>',
             f'<text x="{w - right + 6}" y="{h - bottom}">0</text>']
    points = []
    for i, d in enumerate(days):
        x = left + i * step
        bh = inner * d["clicks"] / cmax
        parts.append(f'<rect x="{x + step * 0.1:.1f}" y="{h - bottom - bh:.1f}" width="{max(step * 0.8, 1):.1f}" '
                     f'height="{bh:.1f}" fill="{_COLORS["clicks"]}"><title>{_e(d["day"])}: {d["clicks"]} clicks, '
                     f'{d["actions"]} actions</title></rect>')
        points.append((x + step / 2, h - bottom - inner * d["actions"] / amax))
    parts.append(f'<polyline fill="none" stroke="{_COLORS["actions"]}" stroke-width="2" points="'
                 + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
    parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{_COLORS["actions"]}"/>' for x, y in points]
    for i in _label_positions(n):
        parts.append(f'<text x="{left + i * step + step / 2:.1f}" y="{h - bottom + 16}" text-anchor="middle">'
                     f'{_e(days[i]["day"][5:])}</text>')
    parts.append("</svg>")
    return _legend([("human clicks (left scale)", _COLORS["clicks"]), ("actions (right scale)", _COLORS["actions"])]) \
        + "".join(parts)


def _stacked_chart(rows: list[dict], key: str, label: str) -> str:
    """Vertical stacked bars of commission by status, one per row (day or program)."""
    if not rows:
        return '<p class="muted">No actions in the period.</p>'
    w, h, left, top, bottom = 900, 240, 100, 12, 44
    n = len(rows)
    step = (w - left - 12) / n
    totals = [sum(max(Decimal(r["commission"][s]), Decimal(0)) for s in ("approved", "pending", "declined"))
              for r in rows]
    vmax = max(Decimal(1), *totals)
    inner = h - top - bottom
    parts = [f'<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="Commission by status '
             f'per {_e(label)}">',
             f'<line x1="{left}" y1="{h - bottom}" x2="{w - 12}" y2="{h - bottom}" stroke="#999"/>',
             f'<text x="{left - 6}" y="{top + 8}" text-anchor="end">{_e(_money(str(vmax)))}</text>',
             f'<text x="{left - 6}" y="{h - bottom}" text-anchor="end">0</text>']
    for i, r in enumerate(rows):
        x = left + i * step + step * 0.1
        y = float(h - bottom)
        for s in ("approved", "pending", "declined"):
            v = max(Decimal(r["commission"][s]), Decimal(0))
            bh = float(Decimal(inner) * v / vmax)
            if bh <= 0:
                continue
            y -= bh
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(step * 0.8, 1):.1f}" height="{bh:.1f}" '
                         f'fill="{_COLORS[s]}"><title>{_e(r[key])}: {s} {_e(_money(r["commission"][s]))}</title>'
                         f'</rect>')
    for i in _label_positions(n):
        text = str(r_key) if (r_key := rows[i][key]) is not None else "-"
        text = text[5:] if key == "day" else text[:14]
        parts.append(f'<text x="{left + i * step + step / 2:.1f}" y="{h - bottom + 16}" text-anchor="middle">'
                     f'{_e(text)}</text>')
    parts.append("</svg>")
    return _legend([(s, _COLORS[s]) for s in ("approved", "pending", "declined")]) + "".join(parts)


def _html_table(key: str, label, rows: list[dict], limit: int | None = None) -> str:
    heads = [key, "clicks", "actions", "conversion", "orders", "approved", "pending", "declined", "EPC", "approval",
             "reversal"]
    out = ['<table><tr>' + "".join(f'<th class="{"l" if i == 0 else ""}">{_e(h)}</th>' for i, h in enumerate(heads))
           + "</tr>"]
    for r in rows[:limit] if limit else rows:
        cells = [label(r), *_summary_cells(r)]
        out.append("<tr>" + "".join(f'<td class="{"l" if i == 0 else ""}">{_e(c)}</td>' for i, c in enumerate(cells))
                   + "</tr>")
    out.append("</table>")
    if limit and len(rows) > limit:
        out.append(f'<p class="muted">Top {limit} of {len(rows)}; --json lists them all.</p>')
    return "".join(out)


def render_html(result: Result) -> str:
    d = result.to_dict()
    s = d["summary"]
    t = s["total"]
    period = f"{d['period']['since'] or '…'} .. {d['period']['until'] or '…'}"
    title = f"Reconciliation: {result.network}, {period}"
    cards = [("human clicks", t["clicks"]), ("actions", t["actions"]), ("conversion", _pct(t["conversion_rate"])),
             ("orders", _money(t["order_sum"])), ("approved", _money(t["commission"]["approved"])),
             ("pending", _money(t["commission"]["pending"])), ("declined", _money(t["commission"]["declined"])),
             ("EPC", _epc(t["epc"])), ("approval", _pct(t["approval_rate"])), ("reversal", _pct(t["reversal_rate"])),
             ("findings", len(d["findings"]))]
    out = ['<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{_e(title)}</h1>",
           f'<p class="muted">Days are UTC; amounts in {_e(result.currency)}. Clicks are human clicks (bots, '
           f"prefetches and HEAD requests are not counted). EPC = (approved + pending commission) / clicks. "
           f"Approval and reversal rates: approved and declined actions / all actions.</p>",
           '<div class="cards">' + "".join(f'<div class="card"><span class="muted">{_e(k)}</span><b>{_e(v)}</b></div>'
                                           for k, v in cards) + "</div>"]
    out += ["<h2>Clicks and actions per day</h2>", _days_chart(s["by_day"]),
            "<h2>Commission by status per day</h2>", _stacked_chart(s["by_day"], "day", "day"),
            "<h2>Commission by status per program</h2>", _stacked_chart(s["by_program"], "program", "program"),
            "<h2>By program</h2>", _html_table("program", lambda r: r["program"], s["by_program"]),
            "<h2>By day</h2>", _html_table("day", lambda r: r["day"], s["by_day"]),
            "<h2>By source page</h2>", _html_table("page", lambda r: r["page"] or "-", s["by_page"], 50),
            "<h2>By product</h2>",
            _html_table("product", lambda r: f"{r['product_id'] if r['product_id'] is not None else '-'} "
                                             f"{r.get('title') or ''}".strip(), s["by_product"], 50)]
    counts = d["finding_counts"]
    out.append("<h2>Findings</h2><table><tr><th class=l>kind</th><th>count</th></tr>" + "".join(
        f'<tr><td class="l kind">{_e(k)}</td><td>{n}</td></tr>' for k, n in counts.items()) + "</table>")
    findings = d["findings"]
    if findings:
        heads = ["kind", "action", "time (UTC)", "program", "status", "order", "commission", "expected", "sub-id",
                 "click", "detail"]
        out.append("<table><tr>" + "".join(f'<th class="l">{h}</th>' for h in heads) + "</tr>")
        for f in findings[:HTML_FINDINGS_MAX]:
            click = f["click"] or {}
            cells = [f["kind"], f["action_id"] or "", (f["action_time"] or f["day"] or "")[:19].replace("T", " "),
                     f["program"] or ("?" + f["report_program"] if f["report_program"] else ""), f["status"],
                     f["order_id"], _money(f["commission"]) if f["commission"] else "",
                     _money(f["expected_commission"]) if f["expected_commission"] else "", f["subid"],
                     (click.get("at") or "")[:19].replace("T", " "), f["detail"]]
            out.append("<tr>" + "".join(f'<td class="l{" kind" if i == 0 else ""}">{_e(c)}</td>'
                                        for i, c in enumerate(cells)) + "</tr>")
        out.append("</table>")
        if len(findings) > HTML_FINDINGS_MAX:
            out.append(f'<p class="muted">The first {HTML_FINDINGS_MAX} of {len(findings)} findings; --csv lists '
                       f"them all.</p>")
    out.append("<h2>Reports</h2><table><tr><th class=l>file</th><th>format</th><th>rows</th><th>actions</th>"
               "<th>new</th><th>changed</th><th>unchanged</th><th>malformed rows</th></tr>")
    for imp in d["imports"]:
        out.append(f'<tr><td class="l">{_e(imp["path"])}{" (already imported)" if imp["already_imported"] else ""}'
                   f'</td><td>{_e(imp["format"])}</td><td>{imp["rows"]}</td><td>{imp["actions"]}</td>'
                   f'<td>{imp["new"]}</td><td>{imp["changed"]}</td><td>{imp["unchanged"]}</td>'
                   f'<td>{len(imp["errors"])}</td></tr>')
    out.append("</table>")
    errors = [e for imp in d["imports"] for e in imp["errors"]]
    if errors:
        out.append('<ul class="err">' + "".join(f"<li>{_e(e['path'])}:{_e(e['line'])}: {_e(e['message'])}</li>"
                                                for e in errors[:HTML_FINDINGS_MAX]) + "</ul>")
    for w in d["warnings"]:
        out.append(f'<p class="err">warning: {_e(w)}</p>')
    out.append("</body></html>\n")
    return "\n".join(out)


def write_html(result: Result, path: Path | str) -> None:
    _write_atomic(path, render_html(result))
