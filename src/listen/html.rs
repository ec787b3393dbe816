//! The report as one self-contained HTML page with inline SVG charts.
//!
//! The SVG is written by hand: four simple chart shapes (stacked columns over time,
//! one stacked bar, horizontal bars) take less code than a plotting crate's setup, and
//! the page stays free of scripts, fonts and anything fetched.

use super::report::{share, ClusterSet, Counts, Report};
use std::fmt::Write;

/// Decision colours: auto_reply, suggest, escalate, no_answer.
const COLOURS: [(&str, &str); 4] = [
    ("auto_reply", "#2e7d32"),
    ("suggest", "#1565c0"),
    ("escalate", "#c62828"),
    ("no_answer", "#9e9e9e"),
];

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn parts(c: &Counts) -> [u64; 4] {
    [c.auto_reply, c.suggest, c.escalate, c.no_answer]
}

fn legend(out: &mut String, x: f64, y: f64) {
    for (i, (name, colour)) in COLOURS.iter().enumerate() {
        let lx = x + i as f64 * 110.0;
        let _ = write!(
            out,
            r#"<rect x="{lx}" y="{y}" width="12" height="12" fill="{colour}"/><text x="{}" y="{}" class="small">{name}</text>"#,
            lx + 16.0,
            y + 10.0
        );
    }
}

/// Stacked columns of decisions per period.
fn coverage_chart(report: &Report) -> String {
    let (w, h, left, top, bottom) = (880.0, 260.0, 50.0, 30.0, 40.0);
    let periods = &report.coverage.per_period;
    let mut out = format!(
        r#"<svg id="chart-coverage" role="img" aria-label="Decisions per {}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg">"#,
        report.period.map_or("period", |p| p.as_str())
    );
    let max = periods.iter().map(|c| c.messages).max().unwrap_or(0).max(1) as f64;
    let plot_h = h - top - bottom;
    let n = periods.len().max(1) as f64;
    let slot = (w - left - 10.0) / n;
    let bar = (slot * 0.8).max(1.0);
    let _ = write!(
        out,
        r##"<line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="#444"/><text x="{}" y="{}" class="small" text-anchor="end">{}</text><text x="{}" y="{}" class="small" text-anchor="end">0</text>"##,
        top + plot_h,
        w - 10.0,
        top + plot_h,
        left - 4.0,
        top + 8.0,
        max as u64,
        left - 4.0,
        top + plot_h
    );
    for (i, c) in periods.iter().enumerate() {
        let x = left + i as f64 * slot + (slot - bar) / 2.0;
        let mut y = top + plot_h;
        for (value, (name, colour)) in parts(c).iter().zip(COLOURS) {
            let bh = *value as f64 / max * plot_h;
            if bh > 0.0 {
                y -= bh;
                let period = report.periods.get(i).map_or("", String::as_str);
                let _ = write!(
                    out,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{bh:.1}" fill="{colour}"><title>{period}: {value} {name}</title></rect>"#
                );
            }
        }
    }
    let labels = report.periods.len();
    let every = labels.div_ceil(8).max(1);
    for (i, label) in report.periods.iter().enumerate().step_by(every) {
        let x = left + i as f64 * slot + slot / 2.0;
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{}" class="small" text-anchor="middle">{}</text>"#,
            top + plot_h + 16.0,
            esc(label)
        );
    }
    legend(&mut out, left, 6.0);
    out.push_str("</svg>");
    out
}

/// One stacked bar of all decisions.
fn decisions_chart(c: &Counts) -> String {
    let (w, h) = (880.0, 70.0);
    let mut out = format!(
        r#"<svg id="chart-decisions" role="img" aria-label="Decisions" viewBox="0 0 {w} {h}" width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg">"#
    );
    let total = c.messages.max(1) as f64;
    let mut x = 0.0;
    for (value, (name, colour)) in parts(c).iter().zip(COLOURS) {
        let bw = *value as f64 / total * w;
        if bw > 0.0 {
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="26" width="{bw:.1}" height="30" fill="{colour}"><title>{value} {name}</title></rect>"#
            );
            if bw > 60.0 {
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="46" class="inbar">{:.0} %</text>"#,
                    x + 6.0,
                    100.0 * share(*value, c.messages)
                );
            }
            x += bw;
        }
    }
    legend(&mut out, 0.0, 4.0);
    out.push_str("</svg>");
    out
}

/// Horizontal bars with labels.
fn bars(id: &str, label: &str, rows: &[(String, f64, String)], colour: &str) -> String {
    let (w, row_h, label_w) = (880.0, 24.0, 300.0);
    let h = row_h * rows.len().max(1) as f64 + 10.0;
    let mut out = format!(
        r#"<svg id="{id}" role="img" aria-label="{}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg">"#,
        esc(label)
    );
    let max = rows.iter().map(|r| r.1).fold(0.0, f64::max).max(1e-9);
    for (i, (name, value, shown)) in rows.iter().enumerate() {
        let y = 5.0 + i as f64 * row_h;
        // Room after the longest bar for its value, such as "4.7 % (was 0.0 %)".
        let bw = (value / max * (w - label_w - 170.0)).max(1.0);
        let _ = write!(
            out,
            r#"<text x="{}" y="{:.1}" class="small" text-anchor="end">{}</text><rect x="{label_w}" y="{y:.1}" width="{bw:.1}" height="{:.1}" fill="{colour}"><title>{}: {}</title></rect><text x="{:.1}" y="{:.1}" class="small">{}</text>"#,
            label_w - 6.0,
            y + 15.0,
            esc(name),
            row_h - 6.0,
            esc(name),
            esc(shown),
            label_w + bw + 6.0,
            y + 15.0,
            esc(shown)
        );
    }
    out.push_str("</svg>");
    out
}

fn pct(part: u64, whole: u64) -> String {
    format!("{:.1} %", 100.0 * share(part, whole))
}

fn counts_table(out: &mut String, first: &str, rows: &[(String, Counts)]) {
    let _ = write!(
        out,
        "<table><tr><th>{}</th><th>messages</th><th>auto_reply</th><th>suggest</th><th>escalate</th><th>no_answer</th></tr>",
        esc(first)
    );
    for (name, c) in rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            c.messages,
            pct(c.auto_reply, c.messages),
            pct(c.suggest, c.messages),
            pct(c.escalate, c.messages),
            pct(c.no_answer, c.messages)
        );
    }
    out.push_str("</table>");
}

fn cluster_set(out: &mut String, id: &str, title: &str, set: &ClusterSet) {
    let _ = write!(
        out,
        "<section id=\"{id}\"><h2>{} <small>{} messages, {:.1} % of all</small></h2>",
        esc(title),
        set.messages,
        100.0 * set.share
    );
    if !set.clusters.is_empty() {
        let rows: Vec<(String, f64, String)> = set
            .clusters
            .iter()
            .take(12)
            .map(|c| {
                (
                    c.id.clone(),
                    c.size as f64,
                    format!("{} ({:.0} %)", c.size, 100.0 * c.share),
                )
            })
            .collect();
        out.push_str(&bars(&format!("chart-{id}"), title, &rows, "#6a1b9a"));
    }
    for c in &set.clusters {
        let words: Vec<String> = c.words.iter().map(|w| esc(&w.term)).collect();
        let _ = write!(
            out,
            "<details class=\"cluster\"><summary><b>{}</b> — {} messages ({:.1} %), {}; <i>{}</i></summary>",
            esc(&c.id),
            c.size,
            100.0 * c.share,
            c.trend.as_str(),
            words.join(", ")
        );
        if let (Some(first), Some(last)) = (&c.first_seen, &c.last_seen) {
            let _ = write!(out, "<p>Seen {} to {}.</p>", esc(first), esc(last));
        }
        out.push_str("<ul>");
        for e in &c.examples {
            let _ = write!(out, "<li>{}</li>", esc(e));
        }
        let lines: Vec<String> = c.lines.iter().map(u64::to_string).collect();
        let _ = write!(
            out,
            "</ul><p class=\"lines\">Lines: {}</p><pre>{}</pre></details>",
            lines.join(", "),
            esc(&c.faq_stub)
        );
    }
    if set.other.size > 0 {
        let lines: Vec<String> = set.other.lines.iter().map(u64::to_string).collect();
        let _ = write!(
            out,
            "<details><summary>Other: {} messages in no cluster</summary><p class=\"lines\">Lines: {}</p></details>",
            set.other.size,
            lines.join(", ")
        );
    }
    out.push_str("</section>");
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2em auto;max-width:920px;color:#222;padding:0 1em}\
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}h2 small{font-weight:normal;color:#666;font-size:.6em}\
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}\
svg{display:block;margin:.6em 0;max-width:100%;height:auto}svg .small{font-size:11px;fill:#333}svg .inbar{font-size:12px;fill:#fff}\
.cluster summary{cursor:pointer;margin:.3em 0}pre{background:#f6f6f6;padding:.6em;overflow-x:auto}.lines{color:#555;font-size:.85em;word-break:break-all}\
.note{color:#555}";

impl Report {
    /// The report as one self-contained HTML page: charts of coverage over time,
    /// decisions, the largest clusters and rising terms as inline SVG, with the tables
    /// and clusters below. No scripts, fonts, images or anything else is fetched to
    /// view it.
    ///
    /// ```
    /// let html = replykit::listen::Report::default().to_html();
    /// assert!(html.starts_with("<!DOCTYPE html>"));
    /// assert!(!html.contains("<script") && !html.contains("src="));
    /// ```
    pub fn to_html(&self) -> String {
        let mut out =
            String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
        let _ = write!(
            out,
            "<title>Listening report</title><style>{STYLE}</style></head><body><h1>Listening report</h1><p class=\"note\">{} messages",
            self.messages
        );
        if let (Some(first), Some(last)) = (&self.first_seen, &self.last_seen) {
            let _ = write!(out, " from {} to {}", esc(first), esc(last));
        }
        let _ = write!(
            out,
            "; {} bad lines; {} unreadable timestamps.</p>",
            self.bad_lines.count, self.unreadable_timestamps
        );
        let c = &self.coverage;
        out.push_str("<section id=\"coverage\"><h2>Coverage</h2>");
        out.push_str(&decisions_chart(&c.overall));
        if !self.periods.is_empty() {
            let _ = write!(
                out,
                "<h3>Per {}</h3>",
                self.period.map_or("period", |p| p.as_str())
            );
            out.push_str(&coverage_chart(self));
        }
        out.push_str("</section>");

        cluster_set(
            &mut out,
            "unanswered",
            "What nothing answers",
            &self.unanswered,
        );
        cluster_set(
            &mut out,
            "low-confidence",
            "Suggested below the auto-reply threshold",
            &self.low_confidence,
        );
        let _ = write!(
            out,
            "<p class=\"note\">{}</p>",
            esc(&self.granularity.describe())
        );

        out.push_str("<section id=\"rising\"><h2>Rising</h2>");
        let r = &self.rising;
        match (&r.recent_from, &r.recent_to) {
            (Some(from), Some(to)) if !r.terms.is_empty() => {
                let _ = write!(
                    out,
                    "<p class=\"note\">{} to {} against the weeks before (G² at least {}).</p>",
                    esc(from),
                    esc(to),
                    r.bar
                );
                let rows: Vec<(String, f64, String)> = r
                    .terms
                    .iter()
                    .map(|t| {
                        (
                            t.term.clone(),
                            t.g2,
                            format!(
                                "{:.1} % (was {:.1} %)",
                                100.0 * t.recent_share,
                                100.0 * t.earlier_share
                            ),
                        )
                    })
                    .collect();
                out.push_str(&bars("chart-rising", "Rising terms", &rows, "#ef6c00"));
                out.push_str("<ul>");
                for t in &r.terms {
                    let _ = write!(
                        out,
                        "<li><b>{}</b>: {}</li>",
                        esc(&t.term),
                        esc(&t.examples.join(" · "))
                    );
                }
                out.push_str("</ul>");
            }
            (Some(_), Some(_)) => out.push_str("<p>Nothing rose above the bar.</p>"),
            _ => out.push_str("<p>The history spans less than two weeks: nothing to compare.</p>"),
        }
        out.push_str("</section>");

        out.push_str("<section id=\"coverage-detail\"><h2>Coverage in detail</h2>");
        let mut rows = vec![("all".to_string(), c.overall)];
        if let Some(h) = &c.office_hours {
            rows.push(("inside office hours".into(), h.inside));
            rows.push(("outside office hours".into(), h.outside));
        }
        counts_table(&mut out, "", &rows);
        let named = |list: &[super::NamedCounts]| -> Vec<(String, Counts)> {
            list.iter().map(|n| (n.name.clone(), n.counts)).collect()
        };
        if !c.by_channel.is_empty() {
            counts_table(&mut out, "channel", &named(&c.by_channel));
        }
        if !c.by_tag.is_empty() {
            counts_table(&mut out, "tag", &named(&c.by_tag));
        }
        out.push_str("</section>");

        out.push_str("<section id=\"rule-use\"><h2>Use of the rule set</h2>");
        if !self.rule_use.hits.is_empty() {
            let rows: Vec<(String, f64, String)> = self
                .rule_use
                .hits
                .iter()
                .take(15)
                .map(|h| (h.id.clone(), h.top as f64, h.top.to_string()))
                .collect();
            out.push_str(&bars("chart-rule-use", "Top suggestion", &rows, "#1565c0"));
        }
        if !self.rule_use.never_fired.is_empty() {
            let ids: Vec<String> = self
                .rule_use
                .never_fired
                .iter()
                .map(|e| format!("<code>{}</code>", esc(&e.id)))
                .collect();
            let _ = write!(out, "<p>Never fired: {}</p>", ids.join(", "));
        }
        out.push_str("</section>");

        if !self.escalations.is_empty() {
            out.push_str("<section id=\"escalations\"><h2>Escalations</h2><table><tr><th>rule</th><th>messages</th><th>what fired it</th></tr>");
            for e in &self.escalations {
                let reasons: Vec<String> = e
                    .reasons
                    .iter()
                    .take(3)
                    .map(|r| format!("{} ({})", esc(&r.reason), r.count))
                    .collect();
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&e.rule),
                    e.total,
                    reasons.join("; ")
                );
            }
            out.push_str("</table></section>");
        }
        if !self.bad_lines.lines.is_empty() {
            out.push_str("<section id=\"bad-lines\"><h2>Bad lines</h2><ul>");
            for b in &self.bad_lines.lines {
                let _ = write!(out, "<li>line {}: {}</li>", b.line, esc(&b.reason));
            }
            out.push_str("</ul></section>");
        }
        out.push_str("</body></html>\n");
        out
    }
}
