//! The collections family: arrays (`T[]`, `System.Array`), `List<T>`,
//! `Dictionary<K,V>`, `HashSet<T>`, `Queue<T>`, `Stack<T>`,
//! `KeyValuePair<K,V>`, the interfaces (`IEnumerable<T>`, `IList<T>`,
//! `IDictionary<K,V>`, …) and `Enumerable` (LINQ, evaluated eagerly: the
//! result of `Where`/`Select` is materialized, which is indistinguishable
//! from deferred execution for side-effect-free lambdas — see [`linq`]).
//!
//! Module map: `common` (element types, conversions on store, comparer
//! arguments, .NET's exceptions), `table` (the hash table of Dictionary,
//! HashSet and the keyed LINQ operators, in .NET's enumeration order),
//! `sort` (.NET's introsort and binary search), `listops` (members List
//! and Array share), `array`/`array_static`, `list`, `dictionary`,
//! `hashset`, `queue` (Queue and Stack), `pair` (KeyValuePair), `views`
//! (Keys/Values/AsReadOnly views, enumerators), `interfaces`, `linq`.
//!
//! Return types in member tables: `T`/`TKey` name the type's first generic
//! argument, `TValue` its second (`Dictionary<TKey, TValue>`); for LINQ
//! and `Array` statics `T` is the source's element type (the call's first
//! generic argument); `?` depends on a lambda.
//!
//! Invariants: collections hold owned values (`Value::into_owned`) in a
//! `RefCell` that is never borrowed while a lambda runs (members that call
//! lambdas work on a snapshot), so a lambda that touches the collection it
//! is iterating cannot cause a borrow panic; values are compared and hashed
//! with `library::equals`/`library::hash`; every loop over input charges
//! the step budget and every materialized result the memory budget.

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::Value;

pub mod array;
pub mod array_static;
pub mod common;
pub mod dictionary;
pub mod hashset;
pub mod interfaces;
pub mod linq;
pub mod list;
pub mod listops;
pub mod pair;
pub mod queue;
pub mod sort;
pub mod table;
pub mod views;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_keyed;

pub use array::{Array, ARRAY};
pub use dictionary::{Dictionary, DICTIONARY};
pub use hashset::{HashSet, HASH_SET};
pub use linq::ENUMERABLE;
pub use list::{List, LIST};
pub use pair::{KeyValuePair, KEY_VALUE_PAIR, KEY_VALUE_PAIR_STATIC};
pub use queue::{Deque, QUEUE, STACK};
pub use views::View;

pub static TYPES: &[&TypeDef] = &[
    &ARRAY,
    &LIST,
    &DICTIONARY,
    &HASH_SET,
    &QUEUE,
    &STACK,
    &KEY_VALUE_PAIR,
    &KEY_VALUE_PAIR_STATIC,
    &ENUMERABLE,
    &interfaces::IENUMERABLE,
    &interfaces::IENUMERATOR,
    &interfaces::ICOLLECTION,
    &interfaces::ILIST,
    &interfaces::IDICTIONARY,
    &interfaces::IREADONLYCOLLECTION,
    &interfaces::IREADONLYDICTIONARY,
    &interfaces::ISET,
    &interfaces::IREADONLYLIST,
    &interfaces::IORDEREDENUMERABLE,
    &interfaces::IGROUPING,
    &interfaces::ILOOKUP,
    &interfaces::KEY_COLLECTION,
    &interfaces::VALUE_COLLECTION,
    &interfaces::READ_ONLY_COLLECTION,
];

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
    linq::linq_call(rt, recv, name, targs, args)
}
