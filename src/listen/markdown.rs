//! The report as Markdown, for an email or a ticket.

use super::report::{share, Cluster, ClusterSet, Counts, NamedCounts, Report};
use std::fmt::Write;

/// Line numbers listed per cluster in Markdown (the JSON lists them all).
const LINES_SHOWN: usize = 30;

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn pct(part: u64, whole: u64) -> String {
    format!("{:.1} %", 100.0 * share(part, whole))
}

/// `|` and line breaks would break a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn counts_row(out: &mut String, name: &str, c: &Counts) {
    let _ = writeln!(
        out,
        "| {} | {} | {} ({}) | {} ({}) | {} ({}) | {} ({}) |",
        cell(name),
        c.messages,
        c.auto_reply,
        pct(c.auto_reply, c.messages),
        c.suggest,
        pct(c.suggest, c.messages),
        c.escalate,
        pct(c.escalate, c.messages),
        c.no_answer,
        pct(c.no_answer, c.messages),
    );
}

fn counts_table(out: &mut String, first: &str, rows: &[(String, Counts)]) {
    let _ = writeln!(
        out,
        "| {first} | messages | auto_reply | suggest | escalate | no_answer |\n|---|---:|---:|---:|---:|---:|"
    );
    for (name, c) in rows {
        counts_row(out, name, c);
    }
    out.push('\n');
}

fn lines(list: &[u64]) -> String {
    let shown: Vec<String> = list.iter().take(LINES_SHOWN).map(u64::to_string).collect();
    let mut text = shown.join(", ");
    if list.len() > LINES_SHOWN {
        let _ = write!(
            text,
            " and {} more (all in `--json`)",
            list.len() - LINES_SHOWN
        );
    }
    text
}

fn cluster(out: &mut String, n: usize, c: &Cluster) {
    let words: Vec<&str> = c.words.iter().map(|w| w.term.as_str()).collect();
    let _ = writeln!(
        out,
        "### {n}. `{}`: {} messages ({:.1} %), {}\n",
        c.id,
        c.size,
        100.0 * c.share,
        c.trend.as_str()
    );
    let _ = writeln!(out, "- words: {}", words.join(", "));
    if let (Some(first), Some(last)) = (&c.first_seen, &c.last_seen) {
        let _ = writeln!(out, "- seen: {first} to {last}");
    }
    let _ = writeln!(out, "- lines: {}", lines(&c.lines));
    let _ = writeln!(out, "- examples:");
    for e in &c.examples {
        let _ = writeln!(out, "  - {}", cell(e));
    }
    let _ = writeln!(out, "\n```toml\n{}```\n", c.faq_stub);
}

fn cluster_set(out: &mut String, title: &str, set: &ClusterSet) {
    let _ = writeln!(
        out,
        "## {title}: {} messages ({:.1} % of all)\n",
        set.messages,
        100.0 * set.share
    );
    if set.messages == 0 {
        out.push_str("None.\n\n");
        return;
    }
    for (i, c) in set.clusters.iter().enumerate() {
        cluster(out, i + 1, c);
    }
    if set.other.size > 0 {
        let _ = writeln!(
            out,
            "Other (in no cluster): {} messages ({:.1} %), lines {}\n",
            set.other.size,
            100.0 * set.other.share,
            lines(&set.other.lines)
        );
    }
}

fn named(list: &[NamedCounts]) -> Vec<(String, Counts)> {
    list.iter().map(|n| (n.name.clone(), n.counts)).collect()
}

impl Report {
    /// The report as Markdown: every section, with at most 30 line numbers per
    /// cluster (the JSON lists them all).
    ///
    /// ```
    /// let md = replykit::listen::Report::default().to_markdown();
    /// assert!(md.starts_with("# Listening report\n\n0 messages."));
    /// ```
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("# Listening report\n\n");
        let _ = write!(out, "{} messages", self.messages);
        if let (Some(first), Some(last), Some(kind)) =
            (&self.first_seen, &self.last_seen, self.period)
        {
            let _ = write!(
                out,
                " from {first} to {last}, counted per {}",
                kind.as_str()
            );
        }
        out.push('.');
        if self.bad_lines.count > 0 {
            let _ = write!(
                out,
                " {}.",
                plural(self.bad_lines.count, "bad line", "bad lines")
            );
        }
        if self.unreadable_timestamps > 0 {
            let _ = write!(
                out,
                " {}.",
                plural(
                    self.unreadable_timestamps,
                    "unreadable timestamp",
                    "unreadable timestamps"
                )
            );
        }
        if self.untimed > 0 && self.untimed < self.messages {
            let _ = write!(
                out,
                " {} without a time.",
                plural(self.untimed, "message", "messages")
            );
        }
        out.push_str("\n\n");
        if self.messages == 0 && self.bad_lines.count == 0 {
            return out;
        }

        out.push_str("## Coverage\n\n");
        let c = &self.coverage;
        let mut rows = vec![("all".to_string(), c.overall)];
        if let Some(h) = &c.office_hours {
            rows.push(("inside office hours".into(), h.inside));
            rows.push(("outside office hours".into(), h.outside));
        }
        counts_table(&mut out, "", &rows);
        if !c.by_channel.is_empty() {
            counts_table(&mut out, "channel", &named(&c.by_channel));
        }
        if !c.by_tag.is_empty() {
            counts_table(&mut out, "tag", &named(&c.by_tag));
        }
        if !self.periods.is_empty() {
            let rows: Vec<(String, Counts)> = self
                .periods
                .iter()
                .cloned()
                .zip(c.per_period.iter().copied())
                .collect();
            let kind = self.period.map_or("period", |k| k.as_str());
            counts_table(&mut out, kind, &rows);
        }

        out.push_str("## Use of the rule set\n\n");
        if !self.rule_use.hits.is_empty() {
            out.push_str(
                "| kind | id | top | suggested | auto_reply |\n|---|---|---:|---:|---:|\n",
            );
            for h in &self.rule_use.hits {
                let kind = match h.kind {
                    crate::Kind::Rule => "rule",
                    crate::Kind::Faq => "faq",
                };
                let _ = writeln!(
                    out,
                    "| {kind} | `{}` | {} | {} | {} |",
                    h.id, h.top, h.suggested, h.auto_reply
                );
            }
            out.push('\n');
        }
        if !self.rule_use.never_fired.is_empty() {
            let ids: Vec<String> = self
                .rule_use
                .never_fired
                .iter()
                .map(|e| format!("`{}`", e.id))
                .collect();
            let _ = writeln!(out, "Never fired: {}\n", ids.join(", "));
        }

        cluster_set(&mut out, "What nothing answers", &self.unanswered);
        cluster_set(
            &mut out,
            "Suggested below the auto-reply threshold",
            &self.low_confidence,
        );
        let _ = writeln!(out, "{}\n", self.granularity.describe());

        out.push_str("## Rising\n\n");
        let r = &self.rising;
        match (&r.recent_from, &r.recent_to) {
            (Some(from), Some(to)) => {
                let _ = writeln!(
                    out,
                    "{from} to {to} ({} messages) against the {} before; G² at least {}, in at least {} messages.\n",
                    r.recent_messages, r.earlier_messages, r.bar, r.min_count
                );
                if r.terms.is_empty() {
                    out.push_str("Nothing rose above the bar.\n\n");
                } else {
                    out.push_str("| term | latest week | before | G² | example |\n|---|---:|---:|---:|---|\n");
                    for t in &r.terms {
                        let _ = writeln!(
                            out,
                            "| {} | {} ({:.1} %) | {} ({:.1} %) | {:.1} | {} |",
                            cell(&t.term),
                            t.recent,
                            100.0 * t.recent_share,
                            t.earlier,
                            100.0 * t.earlier_share,
                            t.g2,
                            cell(t.examples.first().map_or("", String::as_str))
                        );
                    }
                    out.push('\n');
                }
            }
            _ => out.push_str("The history spans less than two weeks: nothing to compare.\n\n"),
        }

        if !self.escalations.is_empty() {
            out.push_str("## Escalations\n\n| rule | messages | what fired it |\n|---|---:|---|\n");
            for e in &self.escalations {
                let reasons: Vec<String> = e
                    .reasons
                    .iter()
                    .take(3)
                    .map(|r| format!("{} ({})", r.reason, r.count))
                    .collect();
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} |",
                    e.rule,
                    e.total,
                    cell(&reasons.join("; "))
                );
            }
            out.push('\n');
        }

        if self.bad_lines.count > 0 {
            out.push_str("## Bad lines\n\n");
            for b in &self.bad_lines.lines {
                let _ = writeln!(out, "- line {}: {}", b.line, b.reason);
            }
            let listed = self.bad_lines.lines.len() as u64;
            if self.bad_lines.count > listed {
                let _ = writeln!(out, "- and {} more", self.bad_lines.count - listed);
            }
            out.push('\n');
        }
        out
    }
}
