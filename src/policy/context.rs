//! The expression [`Context`](super::expr::Context) over one running
//! request: `context.Request`, `.Response`, `.Variables`, `.LastError`,
//! `.Api`, `.Operation`… read from the parsed heads, the policies' edits
//! and the compiled replica, borrowing wherever it can.

use super::exec::Run;

/// `context` for one expression evaluation.
pub struct PolicyContext<'a, 'p> {
    pub run: &'a Run<'a, 'p>,
}

impl<'a, 'p> PolicyContext<'a, 'p> {
    pub fn new(run: &'a Run<'a, 'p>) -> Self {
        PolicyContext { run }
    }
}

impl super::expr::Context for PolicyContext<'_, '_> {}
