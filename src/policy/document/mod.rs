//! TEMPORARY stand-in until the `doc` branch lands: only the tree types.
#[allow(dead_code)]
mod node;
pub use node::*;
