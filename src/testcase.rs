//! Running a rule set's own `[[test]]` cases.

use crate::error::Location;
use crate::outcome::{Decision, Outcome};
use crate::Engine;
use serde::Serialize;
use std::fmt;

/// The result of one `[[test]]` case.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TestResult {
    /// Where the test was written.
    pub location: Location,
    /// The message text tried.
    pub message: String,
    /// What was wrong; empty when the test passed.
    pub failures: Vec<String>,
    /// What came out.
    pub outcome: Outcome,
}

impl TestResult {
    /// Whether the test passed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The results of every `[[test]]` case of a rule set, from [`Engine::run_tests`].
///
/// `Display` lists each failure and ends with the line `N passed, N failed`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TestReport {
    /// Every test, in file order.
    pub results: Vec<TestResult>,
}

impl TestReport {
    /// How many passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
    }

    /// How many failed.
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }

    /// The failed tests.
    pub fn failures(&self) -> impl Iterator<Item = &TestResult> {
        self.results.iter().filter(|r| !r.passed())
    }
}

impl fmt::Display for TestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in self.failures() {
            let l = &r.location;
            writeln!(
                f,
                "FAILED {}:{}:{}: {:?}",
                l.file, l.line, l.column, r.message
            )?;
            for failure in &r.failures {
                writeln!(f, "    {failure}")?;
            }
        }
        writeln!(f, "{} passed, {} failed", self.passed(), self.failed())
    }
}

fn describe(outcome: &Outcome) -> String {
    match outcome.top() {
        Some(top) => format!(
            "{} `{}` (score {:.2}, decision {})",
            kind_name(top),
            top.id,
            top.score,
            outcome.decision
        ),
        None => format!("no suggestion (decision {})", outcome.decision),
    }
}

/// What the outcome says held its top suggestion back from an auto-reply (the
/// suggestion's own [`blockers`](crate::Suggestion::blockers), as the engine read them).
fn held_back(outcome: &Outcome) -> Vec<String> {
    outcome
        .top()
        .map(|top| top.blockers().map(|b| b.to_string()).collect())
        .unwrap_or_default()
}

fn kind_name(s: &crate::Suggestion) -> &'static str {
    match s.kind {
        crate::Kind::Rule => "rule",
        crate::Kind::Faq => "faq",
    }
}

/// The checks of `notice`, `notice_contains` and `suppressed`.
fn check_notice(t: &crate::TestCase, outcome: &Outcome, failures: &mut Vec<String>) {
    let notice = outcome.notice.as_ref();
    let got = || match notice {
        Some(n) => format!("notice `{}`", n.id),
        None => "no notice".to_string(),
    };
    match &t.notice {
        Some(Some(id)) if notice.map(|n| n.id.as_str()) != Some(id.as_str()) => {
            failures.push(format!("expected notice `{id}`, got {}", got()));
        }
        Some(None) if notice.is_some() => {
            failures.push(format!("expected no notice, got {}", got()));
        }
        _ => {}
    }
    if let Some(needle) = &t.notice_contains {
        if !notice.is_some_and(|n| n.reply.contains(needle.as_str())) {
            let got = notice.map_or("no notice".to_string(), |n| format!("{:?}", n.reply));
            failures.push(format!(
                "expected the notice to contain {needle:?}, got {got}"
            ));
        }
    }
    for id in &t.suppressed {
        if !outcome.suppressed.iter().any(|s| &s.id == id) {
            failures.push(format!("expected `{id}` to be suppressed"));
        }
    }
}

impl Engine {
    /// Runs every `[[test]]` case of the rule set.
    ///
    /// ```
    /// let rules = replykit::RuleSet::from_toml("t.toml", r#"
    ///     [[rule]]
    ///     id = "hello"
    ///     when.any = ["hello"]
    ///     reply = "Hi!"
    ///
    ///     [[test]]
    ///     message = "Hello there"
    ///     expect = "hello"
    ///     decision = "auto_reply"
    /// "#)?;
    /// let report = replykit::Engine::new(&rules)?.run_tests();
    /// assert_eq!((report.passed(), report.failed()), (1, 0));
    /// # Ok::<(), replykit::LoadError>(())
    /// ```
    pub fn run_tests(&self) -> TestReport {
        let results = self
            .rule_set()
            .tests()
            .iter()
            .map(|t| {
                let outcome = self.suggest(&t.message);
                let mut failures = Vec::new();
                let top = outcome
                    .top()
                    .filter(|_| outcome.decision != Decision::NoAnswer);
                if let Some(expect) = &t.expect {
                    if top.map(|s| s.id.as_str()) != Some(expect.as_str()) {
                        failures.push(format!("expected `{expect}`, got {}", describe(&outcome)));
                    }
                }
                if let Some(decision) = t.decision {
                    if outcome.decision != decision {
                        let mut failure =
                            format!("expected decision {decision}, got {}", describe(&outcome));
                        if decision == Decision::AutoReply {
                            let why = held_back(&outcome);
                            if !why.is_empty() {
                                failure.push_str(&format!(
                                    ": not sent unattended because {}",
                                    why.join("; ")
                                ));
                            }
                        }
                        failures.push(failure);
                    }
                }
                if let Some(needle) = &t.reply_contains {
                    if !top.is_some_and(|s| s.reply.contains(needle.as_str())) {
                        let got = top.map_or("no reply".to_string(), |s| format!("{:?}", s.reply));
                        failures.push(format!(
                            "expected the reply to contain {needle:?}, got {got}"
                        ));
                    }
                }
                check_notice(t, &outcome, &mut failures);
                TestResult {
                    location: t.location.clone(),
                    message: t.message.text.clone(),
                    failures,
                    outcome,
                }
            })
            .collect();
        TestReport { results }
    }
}
