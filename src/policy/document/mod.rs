//! TEMPORARY stand-in until the `doc` branch lands: only the tree types.
mod node;
pub use node::*;
