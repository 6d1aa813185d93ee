//! Unit tests of the JSON family through [`crate::testing::TestRt`].

use super::*;
use crate::testing::TestRt;

#[test]
fn smoke() {
    let mut rt = TestRt::new();
    let v = parse(&mut rt, "{\"a\":1}").unwrap();
    assert_eq!(crate::library::to_text_plain(&v), "{\n  \"a\": 1\n}");
}
