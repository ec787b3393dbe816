//! Names by number, in one buffer.

/// Names numbered from 0 in the order they came, their texts one after another: name
/// `i` is `text[ends[i - 1]..ends[i]]` (4 bytes a name and its text, where a boxed
/// string costs 16 and an allocation).
#[derive(Clone, Debug, Default)]
pub(super) struct Names {
    ends: Vec<u32>,
    text: String,
}

impl Names {
    /// Appends the next name (numbered [`len`](Self::len) before it).
    pub(super) fn push(&mut self, name: &str) {
        // The names of a rule set come from its files, far below 4 GiB of text; past
        // that, a name is empty, and the next ones keep their numbers.
        if let Ok(end) = u32::try_from(self.text.len() + name.len()) {
            self.text.push_str(name);
            self.ends.push(end);
        } else {
            self.ends.push(self.ends.last().copied().unwrap_or(0));
        }
    }

    /// The name numbered `i`.
    pub(super) fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = match i.checked_sub(1) {
            Some(before) => *self.ends.get(before)? as usize,
            None => 0,
        };
        self.text.get(start..end)
    }

    /// How many names there are.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Gives back the room that growing left unused.
    pub(super) fn shrink_to_fit(&mut self) {
        self.ends.shrink_to_fit();
        self.text.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_back_by_number() {
        let mut names = Names::default();
        for name in ["collect", "", "{bin}", "é"] {
            names.push(name);
        }
        assert_eq!(names.len(), 4);
        let all: Vec<Option<&str>> = (0..5).map(|i| names.get(i)).collect();
        assert_eq!(
            all,
            [Some("collect"), Some(""), Some("{bin}"), Some("é"), None]
        );
    }
}
