//! Reading messages, one per line: JSON objects or plain text.

use replykit::eval::Labelled;
use replykit::Message;
use std::io::BufRead;
use std::path::Path;

/// The longest input line read, in bytes (8 MiB). A longer line is an error on its
/// line; the next line is read as usual.
pub(crate) const MAX_LINE_BYTES: usize = 8 << 20;

/// One input line: its bytes without the line ending, or `None` when it was longer
/// than [`MAX_LINE_BYTES`].
pub(crate) type RawLine = Option<Vec<u8>>;

/// Reads lines of at most [`MAX_LINE_BYTES`] bytes, skipping the rest of longer ones
/// without holding them in memory.
#[derive(Debug)]
pub(crate) struct Lines<R> {
    reader: R,
    /// Whether the reader's buffer was used up by the last line: the next line then
    /// waits for input (see [`drained`](Self::drained)).
    drained: bool,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(reader: R) -> Lines<R> {
        Lines {
            reader,
            drained: true,
        }
    }

    /// Whether no further input is already buffered: reading the next line would wait
    /// for the writer. A command answering a stream flushes its output then (and only
    /// then), so that a host that writes one line and waits gets its answer at once,
    /// and a file piped in is answered in large writes.
    pub(crate) fn drained(&self) -> bool {
        self.drained
    }

    /// The next `n` lines, fewer only at the end of input (none there): for commands
    /// that answer their messages a chunk at a time (`Engine::suggest_batch`).
    pub(crate) fn next_lines(&mut self, n: usize) -> std::io::Result<Vec<RawLine>> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match self.next_line()? {
                Some(line) => out.push(line),
                None => break,
            }
        }
        Ok(out)
    }

    /// The next line, `Ok(None)` at the end of input.
    pub(crate) fn next_line(&mut self) -> std::io::Result<Option<RawLine>> {
        let mut line = Vec::new();
        Ok(self
            .next_line_into(&mut line)?
            .map(|fits| fits.then_some(line)))
    }

    /// The next line into `line` (emptied first, and reused from line to line by a
    /// command that reads many): `Ok(Some(true))` when it was read, `Ok(Some(false))`
    /// when it was longer than [`MAX_LINE_BYTES`] (`line` is then empty), `Ok(None)` at
    /// the end of input.
    pub(crate) fn next_line_into(&mut self, line: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
        line.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            any = true;
            let (chunk, done) = match memchr::memchr(b'\n', buf) {
                Some(i) => (&buf[..i], Some(i + 1)),
                None => (buf, None),
            };
            if !too_long {
                if line.len() + chunk.len() > MAX_LINE_BYTES {
                    too_long = true;
                    line.clear();
                    line.shrink_to(READ_BUFFER);
                } else {
                    line.extend_from_slice(chunk);
                }
            }
            let used = done.unwrap_or(buf.len());
            self.drained = used == buf.len();
            self.reader.consume(used);
            if done.is_some() {
                break;
            }
        }
        if !any {
            self.drained = true;
            return Ok(None);
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(Some(!too_long))
    }
}

/// A label as given: `None` when the line has no `label` key, `Some(None)` for
/// `"label": null` (nothing should answer), `Some(Some(id))` otherwise.
pub(crate) type Label = Option<Option<String>>;

/// Strips serde_json's " at line 1 column N" (the input is one line) and says the
/// column instead.
fn json_error(e: &serde_json::Error) -> String {
    let what = error_text(e);
    if e.line() == 0 {
        what
    } else {
        format!("{what} at column {}", e.column())
    }
}

/// What a serde_json error says, without its position.
fn error_text(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Reads one line as a message: a JSON object when it starts with `{` (after
/// spaces), plain text otherwise. A `label` key, as in labelled files, is taken
/// apart.
pub(crate) fn parse_line(raw: &RawLine) -> Result<(Message, Label), String> {
    read_line(raw.as_deref()).map(|read| (read.message, read.label))
}

/// A line read as a message.
pub(crate) struct Read {
    pub(crate) message: Message,
    pub(crate) label: Label,
    /// Keys of a JSON line that no message carries (ignored), each as a note with a
    /// "did you mean" hint where there is one: `unknown key "recieved_at" (did you mean
    /// "received_at"?)`.
    pub(crate) unknown: Vec<String>,
}

/// [`parse_line`], also naming the keys no message carries; `None` is a line longer
/// than [`MAX_LINE_BYTES`].
pub(crate) fn read_line(raw: Option<&[u8]>) -> Result<Read, String> {
    let Some(bytes) = raw else {
        return Err(format!(
            "the line is longer than {MAX_LINE_BYTES} bytes; it was skipped"
        ));
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "the line is not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        )
    })?;
    // A byte-order mark (from a file saved by an editor that adds one) is not text:
    // dropped, so that a JSON line after it is read as JSON (issue 13: its
    // `from_us: true` was lost, and with it loop protection).
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if !text.trim_start().starts_with('{') {
        return Ok(Read {
            message: Message::new(text),
            label: None,
            unknown: Vec::new(),
        });
    }
    // Most lines are `{"text": "..."}` alone: read without serde, the same message.
    if let Some(text) = text_only(text) {
        return Ok(Read {
            message: Message::new(text),
            label: None,
            unknown: Vec::new(),
        });
    }
    // One pass: the message is read straight from the text, and each top-level key it
    // has no field for is named as it is skipped (`label`, the one such key a line
    // may carry, is read on its own only when it is there).
    let mut unknown = Vec::new();
    let mut labelled = false;
    let mut json = serde_json::Deserializer::from_str(text);
    let read = serde_ignored::deserialize(&mut json, |path| {
        if let serde_ignored::Path::Map {
            parent: serde_ignored::Path::Root,
            key,
        } = path
        {
            if key == "label" {
                labelled = true;
            } else {
                unknown.push(match Message::closest_key(&key) {
                    Some(meant) => format!("unknown key {key:?} (did you mean {meant:?}?)"),
                    None => format!("unknown key {key:?}"),
                });
            }
        }
    })
    .and_then(|message: Message| json.end().map(|()| message));
    let message = read.map_err(|e| match e.classify() {
        // A message that is valid JSON but not a message: what is wrong with it
        // (a missing `text`, a field of the wrong type) says enough without a column.
        serde_json::error::Category::Data => format!(
            "not a message: {} (a message is {{\"text\": \"...\", \"channel\": ..., \"author\": {{...}}, \"fields\": {{...}}}})",
            error_text(&e)
        ),
        _ => format!("invalid JSON: {}", json_error(&e)),
    })?;
    let label = if labelled { label_of(text)? } else { None };
    Ok(Read {
        message,
        label,
        unknown,
    })
}

/// JSON's white space, as serde_json skips it.
fn skip_space(s: &str) -> &str {
    let spaces = s
        .bytes()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count();
    s.get(spaces..).unwrap_or_default()
}

/// The text of a JSON line that is `{"text": "..."}` and nothing else (white space
/// aside), unescaped; `None` for any other line, which serde_json then reads (with its
/// errors for the broken ones). The text's escapes are the short ones (`\"`, `\\`,
/// `\/`, `\b`, `\f`, `\n`, `\r`, `\t`); a `\u` escape is left to serde_json too.
/// The text is the slice of the line between its quotes, found with SIMD, and is not
/// checked for UTF-8 again.
fn text_only(line: &str) -> Option<String> {
    let rest = skip_space(line).strip_prefix('{')?;
    let rest = skip_space(rest).strip_prefix("\"text\"")?;
    let rest = skip_space(rest).strip_prefix(':')?;
    let rest = skip_space(rest).strip_prefix('"')?;
    let (text, rest) = json_string(rest)?;
    let rest = skip_space(rest).strip_prefix('}')?;
    skip_space(rest).is_empty().then_some(text)
}

/// The length of the start of `s` that JSON holds as it is: up to the first `"` or
/// `\\` (found with SIMD), or `None` when a control character comes before it (JSON
/// escapes those; serde_json then says so).
fn plain_run(s: &[u8]) -> Option<usize> {
    let run = memchr::memchr2(b'"', b'\\', s).unwrap_or(s.len());
    let plain = s.get(..run)?;
    // The smallest byte, without an early exit so that it is computed 16 or 32 bytes
    // at a time.
    let least = plain.iter().fold(u8::MAX, |least, &b| least.min(b));
    (least >= 0x20).then_some(run)
}

/// A JSON string's contents up to its closing quote, unescaped, and what follows the
/// quote; `None` for a control character, a `\u` escape or an unknown one, or no
/// closing quote.
fn json_string(s: &str) -> Option<(String, &str)> {
    let mut text = String::new();
    let mut rest = s;
    loop {
        let run = plain_run(rest.as_bytes())?;
        // Cut before an ASCII byte (or at the end): a character boundary.
        let (plain, tail) = rest.split_at_checked(run)?;
        let mut tail = tail.bytes();
        match tail.next()? {
            b'"' => {
                let after = rest.get(run + 1..)?;
                if text.is_empty() {
                    return Some((plain.to_string(), after));
                }
                text.push_str(plain);
                return Some((text, after));
            }
            b'\\' => {
                if text.is_empty() {
                    // Escapes only shorten the text: one allocation for all of it.
                    text.reserve(s.len());
                }
                text.push_str(plain);
                text.push(match tail.next()? {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    _ => return None,
                });
                rest = rest.get(run + 2..)?;
            }
            _ => return None,
        }
    }
}

/// The `label` of a JSON line that has one: `Some(None)` for `null`, `Some(Some(id))`
/// for a string.
fn label_of(text: &str) -> Result<Label, String> {
    #[derive(serde::Deserialize)]
    struct Labelled {
        label: serde_json::Value,
    }
    let line: Labelled =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {}", json_error(&e)))?;
    match line.label {
        serde_json::Value::Null => Ok(Some(None)),
        serde_json::Value::String(s) => Ok(Some(Some(s))),
        other => Err(format!(
            "not a message: `label` must be a string or null, not {other}"
        )),
    }
}

/// How much input is read at a time (64 KiB, where std reads 8 KiB): a stream of
/// messages from a file or a pipe is read in a seventh of the system calls, and a
/// command answering it flushes its output as rarely (see [`Lines::drained`]).
const READ_BUFFER: usize = 64 << 10;

/// Stdin, read [`READ_BUFFER`] bytes at a time.
pub(crate) fn stdin() -> std::io::BufReader<std::io::StdinLock<'static>> {
    std::io::BufReader::with_capacity(READ_BUFFER, std::io::stdin().lock())
}

/// Opens a file, or stdin for `-`.
pub(crate) fn open(path: &Path) -> Result<Box<dyn BufRead>, String> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(stdin()));
    }
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open `{}`: {e}", path.display()))?;
    Ok(Box::new(std::io::BufReader::with_capacity(
        READ_BUFFER,
        file,
    )))
}

/// Reads a labelled JSON-lines file, `{"text": ..., "label": ... or null}` per line
/// (blank lines skipped), with each message's line number.
pub(crate) fn read_labelled(path: &Path) -> Result<Vec<(usize, Labelled)>, String> {
    let mut lines = Lines::new(open(path)?);
    let mut out = Vec::new();
    let mut n = 0;
    while let Some(raw) = lines
        .next_line()
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?
    {
        n += 1;
        if raw.as_ref().is_some_and(|b| b.trim_ascii().is_empty()) {
            continue;
        }
        let at = format!("{}:{n}", path.display());
        let Some(bytes) = raw else {
            return Err(format!(
                "{at}: the line is longer than {MAX_LINE_BYTES} bytes"
            ));
        };
        let text =
            std::str::from_utf8(&bytes).map_err(|_| format!("{at}: the line is not UTF-8 text"))?;
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let item: Labelled = serde_json::from_str(text).map_err(|e| {
            format!(
                "{at}: not a labelled message ({}); expected {{\"text\": ..., \"label\": ...}}",
                json_error(&e)
            )
        })?;
        out.push((n, item));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The output is flushed when no further input is buffered: after the last line of
    /// what has arrived, not after each line.
    #[test]
    fn drained_when_no_further_input_is_buffered() {
        let mut lines = Lines::new(std::io::BufReader::with_capacity(
            64,
            std::io::Cursor::new(b"one\ntwo\nthree".to_vec()),
        ));
        assert!(lines.next_line().expect("reads").is_some());
        assert!(!lines.drained(), "two more lines are buffered");
        assert!(lines.next_line().expect("reads").is_some());
        assert!(!lines.drained());
        assert!(lines.next_line().expect("reads").is_some());
        assert!(lines.drained(), "the buffer is used up");
        assert!(lines.next_line().expect("reads").is_none());
        assert!(lines.drained());
    }

    #[test]
    fn lines_come_in_chunks_and_the_last_one_is_short() {
        let mut lines = Lines::new(std::io::Cursor::new(b"a\nb\n\nc".to_vec()));
        let chunk = |lines: &mut Lines<_>| lines.next_lines(3).map(|c| c.len()).ok();
        assert_eq!(chunk(&mut lines), Some(3));
        assert_eq!(chunk(&mut lines), Some(1));
        assert_eq!(chunk(&mut lines), Some(0));
    }

    #[test]
    fn long_lines_are_skipped_and_reading_goes_on() {
        let mut input = vec![b'x'; MAX_LINE_BYTES + 10];
        input.extend_from_slice(b"\nnext\r\nlast");
        let mut lines = Lines::new(std::io::BufReader::new(&input[..]));
        assert_eq!(lines.next_line().ok(), Some(Some(None)));
        assert_eq!(lines.next_line().ok(), Some(Some(Some(b"next".to_vec()))));
        assert_eq!(lines.next_line().ok(), Some(Some(Some(b"last".to_vec()))));
        assert_eq!(lines.next_line().ok(), Some(None));
    }

    #[test]
    fn lines_are_json_or_text() {
        let line = |s: &str| parse_line(&Some(s.as_bytes().to_vec()));
        assert_eq!(
            line("bin day?").map(|m| m.0.text).ok(),
            Some("bin day?".into())
        );
        let (m, label) = line(r#"{"text": "hi", "label": null}"#).unwrap_or_default();
        assert_eq!((m.text.as_str(), label), ("hi", Some(None)));
        assert_eq!(
            line(r#"{"text": "#).err(),
            Some("invalid JSON: EOF while parsing a value at column 9".into())
        );
        // Issue 13: a byte-order mark before a JSON line.
        let (m, _) = line("\u{FEFF}{\"text\": \"hi\", \"from_us\": true}").unwrap_or_default();
        assert_eq!(m.text, "hi");
        assert!(m.from_us);
        assert!(line(r#"{"txt": "hi"}"#)
            .err()
            .is_some_and(|e| e.starts_with("not a message: missing field `text`")));
    }

    /// `{"text": "..."}` lines are read without serde_json: the same message as
    /// serde_json reads, or serde_json's own reading (and error) for what the short
    /// path leaves to it.
    #[test]
    fn text_only_lines_read_as_serde_json_reads_them() {
        let serde = |line: &str| -> Option<String> {
            let message: Message = serde_json::from_str(line).ok()?;
            Some(message.text)
        };
        let mut texts: Vec<String> = vec![String::new(), "café 🙏".into()];
        let specials = (0u8..0x80).map(char::from).chain(['é', '🙏', '\u{2028}']);
        for c in specials {
            for at in 0..17 {
                let mut s: String = "abcdefghijklmnopqrstu".chars().take(at).collect();
                s.push(c);
                s.push_str("xyz");
                texts.push(s);
            }
        }
        let mut lines = Vec::new();
        for text in &texts {
            let json = serde_json::to_string(text).unwrap_or_default();
            lines.push(format!("{{\"text\":{json}}}"));
            lines.push(format!(" {{ \"text\" :\t{json}\r}} "));
            lines.push(format!("{{\"text\":{json},\"channel\":\"x\"}}"));
            lines.push(format!("{{\"text\":{json}"));
            lines.push(format!("{{\"text\":{json}}} x"));
        }
        let odd = [
            r#"{"text":"a\/b\bc\fd\ne\rf\tg\"h\\i"}"#,
            r#"{"text":"\u00e9\ud83d\ude4f"}"#,
            r#"{"text":"\ud83d"}"#,
            r#"{"text":"\x"}"#,
            r#"{"text":"\"}"#,
            r#"{"text":"a"#,
            r#"{"text":"tab	raw"}"#,
            r#"{"text":1}"#,
            r#"{"text":"a"}}"#,
            r#"{"te\u0078t":"a"}"#,
            r#"{}"#,
        ];
        lines.extend(odd.iter().map(|s| s.to_string()));
        let mut short = 0;
        for line in &lines {
            let ours = text_only(line);
            if ours.is_some() {
                short += 1;
                assert_eq!(ours, serde(line), "{line}");
            }
            let read = read_line(Some(line.as_bytes()));
            assert_eq!(
                read.as_ref().map(|r| &r.message.text).ok(),
                serde(line).as_ref(),
                "{line}"
            );
        }
        assert!(short > texts.len(), "most lines take the short path");
    }

    /// A JSON line is read in one pass: `label` is taken apart and every other key no
    /// message has is named, at the top level only.
    #[test]
    fn labels_and_unknown_keys_are_found_in_one_pass() {
        let read = |s: &str| read_line(Some(s.as_bytes()));
        let line =
            read(r#"{"label": "bin-day", "text": "hi", "chanel": "x", "author": {"zz": 1}}"#);
        let Ok(line) = line else {
            panic!("reads: {:?}", line.err())
        };
        assert_eq!(line.message.text, "hi");
        assert_eq!(line.label, Some(Some("bin-day".to_string())));
        assert_eq!(
            line.unknown,
            ["unknown key \"chanel\" (did you mean \"channel\"?)"]
        );
        assert_eq!(read(r#"{"text": "hi"}"#).map(|r| r.label).ok(), Some(None));
        assert_eq!(
            read(r#"{"text": "hi", "label": 7}"#).err(),
            Some("not a message: `label` must be a string or null, not 7".into())
        );
        assert!(read(r#"{"text": "hi"} trailing"#)
            .err()
            .is_some_and(|e| e.starts_with("invalid JSON: trailing characters")));
    }
}
