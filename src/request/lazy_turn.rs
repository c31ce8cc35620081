//! [`LazyTurn`]: a turn of a request body opened only once it has content.

use crate::json_write::JsonWriter;

/// A message whose content list is opened on its first item, for formats
/// that must not send an empty turn, or that gather several request messages
/// (consecutive tool results) into one turn.
pub(crate) struct LazyTurn {
    role: &'static str,
    list_key: &'static str,
    open: bool,
}

impl LazyTurn {
    /// A turn `{"role": role, list_key: [...]}`, not yet written.
    pub(crate) fn new(role: &'static str, list_key: &'static str) -> Self {
        LazyTurn {
            role,
            list_key,
            open: false,
        }
    }

    /// Prepares `w` for the next item of the list, opening the turn first if
    /// this is its first item. `w` must be in the array of turns.
    pub(crate) fn item(&mut self, w: &mut JsonWriter) {
        if !self.open {
            w.begin_object();
            w.field("role", self.role);
            w.key(self.list_key);
            w.begin_array();
            self.open = true;
        }
    }

    /// Closes the turn if it was opened; a later item opens a new one.
    pub(crate) fn close(&mut self, w: &mut JsonWriter) {
        if self.open {
            w.end_array();
            w.end_object();
            self.open = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LazyTurn;
    use crate::json_write::JsonWriter;

    #[test]
    fn lazy_turns_open_on_the_first_item_only() {
        let mut w = JsonWriter::new();
        w.begin_array();
        let mut turn = LazyTurn::new("user", "parts");
        turn.close(&mut w);
        turn.item(&mut w);
        w.u64(1);
        turn.item(&mut w);
        w.u64(2);
        turn.close(&mut w);
        turn.item(&mut w);
        w.u64(3);
        turn.close(&mut w);
        w.end_array();
        assert_eq!(
            w.finish(),
            r#"[{"role":"user","parts":[1,2]},{"role":"user","parts":[3]}]"#
        );
    }
}
