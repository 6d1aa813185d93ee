//! Helpers shared by the collection types and LINQ: element types from
//! generic arguments, `default(T)`, .NET type names, the conversion of a
//! value stored into a typed collection, comparer arguments
//! (`StringComparer`), argument parsing, lambda calls, and the .NET
//! exceptions collections throw (with .NET's messages).
//!
//! Invariants: nothing here holds a `RefCell` borrow; lambda results are
//! checked (a predicate that returns a non-bool is an `InvalidCastException`).

use std::cmp::Ordering;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::{self, numbers, text, time, OBJECT};
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeKind, TypeRef};
use crate::value::Value;

/// The bytes one stored value costs (for [`Runtime::alloc`]).
pub const VALUE_BYTES: usize = std::mem::size_of::<Value<'static>>();

/// What storing `v` in a collection costs: the slot and an owned copy of
/// its text.
pub fn cost(v: &Value<'_>) -> usize {
    VALUE_BYTES
        + match v {
            Value::Str(s) => s.len(),
            _ => 0,
        }
}

/// Charges the memory of `items` about to be materialized.
pub fn alloc_items(rt: &mut dyn Runtime<'_>, items: &[Value<'_>]) -> EvalResult<()> {
    rt.alloc(items.iter().map(cost).sum())
}

/// `object`.
pub fn object_type() -> TypeRef {
    TypeRef::of(&OBJECT)
}

/// Generic argument `i` of a constructor or call (`object` when absent).
pub fn targ(targs: &[TypeRef], i: usize) -> TypeRef {
    targs.get(i).cloned().unwrap_or_else(object_type)
}

pub fn is_object(t: &TypeRef) -> bool {
    matches!(t, TypeRef::Named(d, _) if d.is(&OBJECT))
}

/// Whether `t` is a non-nullable value type (`int`, `DateTime`, an enum,
/// `KeyValuePair<,>`).
pub fn is_value_type(t: &TypeRef) -> bool {
    match t {
        TypeRef::Named(d, _) => matches!(d.kind, TypeKind::Struct | TypeKind::Enum),
        _ => false,
    }
}

/// `default(T)`: zero for numbers, `false`, `'\0'`, `DateTime.MinValue`,
/// `TimeSpan.Zero`, `Guid.Empty`, a `KeyValuePair` of defaults; `null`
/// for reference and nullable types (and unknown element types).
pub fn default_of(t: &TypeRef) -> Value<'static> {
    let TypeRef::Named(d, args) = t else {
        return Value::Null;
    };
    let is = |x: &TypeDef| d.is(x);
    if is(&numbers::INT32) {
        Value::Int(0)
    } else if is(&numbers::INT64) {
        Value::Long(0)
    } else if is(&numbers::DOUBLE) {
        Value::Double(0.0)
    } else if is(&numbers::BOOLEAN) {
        Value::Bool(false)
    } else if is(&numbers::DECIMAL) {
        Value::Decimal(Default::default())
    } else if is(&numbers::SINGLE) {
        Value::Float(0.0)
    } else if is(&numbers::BYTE) {
        Value::Byte(0)
    } else if is(&numbers::SBYTE) {
        Value::SByte(0)
    } else if is(&numbers::INT16) {
        Value::Short(0)
    } else if is(&numbers::UINT16) {
        Value::UShort(0)
    } else if is(&numbers::UINT32) {
        Value::UInt(0)
    } else if is(&numbers::UINT64) {
        Value::ULong(0)
    } else if is(&text::CHAR) {
        Value::Char('\0')
    } else if is(&numbers::GUID) {
        Value::Guid(0)
    } else if is(&time::DATETIME) {
        Value::DateTime(MIN_DATETIME)
    } else if is(&time::DATETIMEOFFSET) {
        Value::DateTimeOffset(time::DateTimeOffset {
            utc: MIN_DATETIME,
            offset_minutes: 0,
        })
    } else if is(&time::TIMESPAN) {
        Value::TimeSpan(time::TimeSpan { ticks: 0 })
    } else if is(&super::KEY_VALUE_PAIR) {
        super::KeyValuePair::value(
            args.first().map(default_of).unwrap_or(Value::Null),
            args.get(1).map(default_of).unwrap_or(Value::Null),
        )
    } else if d.kind == TypeKind::Enum {
        Value::Enum(d, 0)
    } else {
        Value::Null
    }
}

/// `DateTime.MinValue` (0001-01-01): ticks are counted from 1970.
const MIN_DATETIME: time::DateTime = time::DateTime {
    ticks: -621_355_968_000_000_000,
    kind: time::datetime::Kind::Unspecified,
};

/// .NET's `Type.FullName`-like text (`System.Collections.Generic.List`1[System.Int32]`),
/// what `ToString()` of a collection gives.
pub fn dotnet_name(t: &TypeRef) -> String {
    match t {
        TypeRef::Named(d, args) if args.is_empty() => d.full_name(),
        TypeRef::Named(d, args) => generic_name(d, args),
        TypeRef::Array(e) => format!("{}[]", dotnet_name(e)),
        TypeRef::Nullable(e) => format!("System.Nullable`1[{}]", dotnet_name(e)),
    }
}

/// `Namespace.Name`n[Arg1,Arg2]`.
pub fn generic_name(d: &TypeDef, args: &[TypeRef]) -> String {
    let inner: Vec<String> = args.iter().map(dotnet_name).collect();
    format!("{}`{}[{}]", d.full_name(), args.len(), inner.join(","))
}

/// Whether a collection with element types `mine` is an instance of a
/// type with generic arguments `want` (empty: any). Generic classes are
/// invariant; `covariant` interfaces (`IEnumerable<out T>`,
/// `IReadOnlyCollection<out T>`…) also accept `object` for a reference
/// element type.
pub fn generic_match(mine: &[TypeRef], want: &[TypeRef], covariant: bool) -> bool {
    want.is_empty()
        || (want.len() == mine.len()
            && mine
                .iter()
                .zip(want)
                .all(|(m, w)| m == w || (covariant && is_object(w) && !is_value_type(m))))
}

/// The element type of a materialized sequence: the one type all its
/// non-null items share (non-generic types only; a value type only if no
/// item is null), else `object`.
pub fn infer_elem(items: &[Value<'_>]) -> TypeRef {
    let mut common: Option<&'static TypeDef> = None;
    let mut nulls = false;
    for v in items {
        if v.is_null() {
            nulls = true;
            continue;
        }
        match library::type_of(v) {
            Some(d) if d.generics == 0 && common.is_none_or(|c| c.is(d)) => common = Some(d),
            _ => return object_type(),
        }
    }
    match common {
        Some(d) if !(nulls && matches!(d.kind, TypeKind::Struct | TypeKind::Enum)) => TypeRef::of(d),
        _ => object_type(),
    }
}

/// A value stored into a collection of element type `t`: C#'s implicit
/// conversion (`List<long>.Add(1)` stores a `long`); an `int` that fits a
/// smaller integral element type is accepted, as C# accepts a constant
/// (`bytes[0] = 65`). Owned, as objects hold only `'static` values.
pub fn store<'a>(rt: &mut dyn Runtime<'a>, v: Value<'a>, t: &TypeRef) -> EvalResult<Value<'static>> {
    if is_object(t) || library::is_instance(&v, t) {
        return Ok(v.into_owned());
    }
    match library::convert(rt, v.clone(), t, false, false) {
        Ok(x) => Ok(x.into_owned()),
        Err(e) => match (&v, t.def()) {
            (Value::Int(_), Some(d)) if is_integral(d) => library::convert(rt, v, t, true, true)
                .map(Value::into_owned)
                .map_err(|_| e),
            _ => Err(e),
        },
    }
}

fn is_integral(d: &TypeDef) -> bool {
    [
        &numbers::SBYTE,
        &numbers::BYTE,
        &numbers::INT16,
        &numbers::UINT16,
        &numbers::UINT32,
        &numbers::UINT64,
        &text::CHAR,
    ]
    .iter()
    .any(|x| d.is(x))
}

/// How a collection or a LINQ operator compares keys: a `StringComparer`
/// argument (`StringComparer.OrdinalIgnoreCase`) or the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyCmp {
    /// `EqualityComparer<T>.Default` / `Comparer<T>.Default`.
    #[default]
    Default,
    /// A case-insensitive `StringComparer` (strings compared by their
    /// simple upper-case mapping, as `OrdinalIgnoreCase`).
    IgnoreCase,
}

impl KeyCmp {
    /// The comparer an argument names: `null` is the default; a
    /// `StringComparer` that ignores case, or one that does not.
    pub fn from_arg(v: &Value<'_>) -> EvalResult<KeyCmp> {
        if v.is_null() {
            return Ok(KeyCmp::Default);
        }
        match text::comparer_ignores_case(v) {
            Some(true) => Ok(KeyCmp::IgnoreCase),
            Some(false) => Ok(KeyCmp::Default),
            None => Err(EvalError::new(
                EvalErrorKind::NotSupported,
                format!(
                    "a comparer of type {} is not supported (only StringComparer)",
                    v.type_name()
                ),
            )),
        }
    }

    /// Whether `v` is a comparer argument (not a lambda, not a sequence).
    pub fn is_comparer(v: &Value<'_>) -> bool {
        text::comparer_ignores_case(v).is_some()
    }

    pub fn ignore_case(self) -> bool {
        self == KeyCmp::IgnoreCase
    }

    /// Equality under this comparer.
    pub fn eq(self, a: &Value<'_>, b: &Value<'_>) -> bool {
        match (self, a, b) {
            (KeyCmp::IgnoreCase, Value::Str(x), Value::Str(y)) => eq_ignore_case(x, y),
            _ => library::equals(a, b),
        }
    }

    /// Ordering under this comparer (`ArgumentException` for values that
    /// are not comparable, as .NET's `Comparer<T>.Default`).
    pub fn compare(self, a: &Value<'_>, b: &Value<'_>) -> EvalResult<Ordering> {
        match (self, a, b) {
            (KeyCmp::IgnoreCase, Value::Str(x), Value::Str(y)) => Ok(x.chars().map(fold).cmp(y.chars().map(fold))),
            _ => library::compare(a, b).ok_or_else(not_comparable),
        }
    }
}

/// A char's simple upper-case mapping (as `OrdinalIgnoreCase`: chars
/// whose upper case is several chars, like `ß`, stay themselves).
pub fn fold(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.chars().map(fold).eq(b.chars().map(fold))
}

/// `ArgumentException` of `Comparer<T>.Default` on values without an order.
pub fn not_comparable() -> EvalError {
    EvalError::argument("At least one object must implement IComparable.")
}

/// An `int` argument (any integral value in `int`'s range; widened so
/// index arithmetic cannot overflow), else an `ArgumentException`.
pub fn int_arg(v: &Value<'_>, what: &str) -> EvalResult<i64> {
    v.as_integer()
        .and_then(|i| i32::try_from(i).ok())
        .map(i64::from)
        .ok_or_else(|| EvalError::argument(format!("{what}: expected an integer, got {}", v.type_name())))
}

/// A lambda's `bool` result.
pub fn truth(v: &Value<'_>) -> EvalResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        v => Err(EvalError::cast(v.type_name(), "bool")),
    }
}

/// Calls a predicate lambda on `x`.
pub fn test<'a>(rt: &mut dyn Runtime<'a>, f: &Value<'a>, x: Value<'a>) -> EvalResult<bool> {
    let r = rt.invoke(f, &[x])?;
    truth(&r)
}

/// Calls a `Comparison<T>` lambda: its `int` result's sign.
pub fn comparison<'a>(rt: &mut dyn Runtime<'a>, f: &Value<'a>, a: Value<'a>, b: Value<'a>) -> EvalResult<Ordering> {
    let r = rt.invoke(f, &[a, b])?;
    match r.as_integer() {
        Some(i) => Ok(i.cmp(&0)),
        None => Err(EvalError::cast(r.type_name(), "int")),
    }
}

/// Whether `v` is a lambda (a delegate argument).
pub fn is_lambda(v: &Value<'_>) -> bool {
    matches!(v, Value::Lambda(_))
}

// The exceptions collections throw, with .NET's messages.

/// `ArgumentOutOfRangeException` of an indexer or `RemoveAt`.
pub fn index_out_of_range() -> EvalError {
    EvalError::new(
        EvalErrorKind::ArgumentOutOfRange,
        "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')",
    )
}

/// `ArgumentOutOfRangeException` for a negative argument.
pub fn non_negative(param: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::ArgumentOutOfRange,
        format!("Non-negative number required. (Parameter '{param}')"),
    )
}

/// `ArgumentException` of a `(index, count)` pair past the end.
pub fn bad_range() -> EvalError {
    EvalError::argument(
        "Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.",
    )
}

/// `ArgumentNullException`.
pub fn arg_null(param: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::ArgumentNull,
        format!("Value cannot be null. (Parameter '{param}')"),
    )
}

/// `InvalidOperationException` of a collection changed during `ForEach`.
pub fn modified() -> EvalError {
    EvalError::new(
        EvalErrorKind::InvalidOperation,
        "Collection was modified; enumeration operation may not execute.",
    )
}

/// A call whose argument count or kinds match no overload (the checker
/// cannot tell overloads apart; this is C#'s CS1501 at run time).
pub fn no_overload(name: &str, n: usize) -> EvalError {
    EvalError::argument(format!("No overload for method '{name}' takes {n} arguments"))
}

/// Checks an `(index, count)` pair against a length: the range
/// `index..index+count`.
pub fn range(index: &Value<'_>, count: &Value<'_>, len: usize) -> EvalResult<std::ops::Range<usize>> {
    let i = int_arg(index, "index")?;
    let c = int_arg(count, "count")?;
    if i < 0 {
        return Err(non_negative("index"));
    }
    if c < 0 {
        return Err(non_negative("count"));
    }
    let (i, c) = (i as u64, c as u64);
    if i + c > len as u64 {
        return Err(bad_range());
    }
    Ok(i as usize..(i + c) as usize)
}

/// An index argument within `0..=len` (`Insert`) or `0..len`
/// (`inclusive == false`): else `ArgumentOutOfRangeException`.
pub fn position(v: &Value<'_>, len: usize, inclusive: bool) -> EvalResult<usize> {
    let i = int_arg(v, "index")?;
    let ok = i >= 0 && (i as u64) < len as u64 + u64::from(inclusive);
    if ok {
        Ok(i as usize)
    } else if inclusive {
        Err(EvalError::new(
            EvalErrorKind::ArgumentOutOfRange,
            "Index must be within the bounds of the List. (Parameter 'index')",
        ))
    } else {
        Err(index_out_of_range())
    }
}

/// `is`/`as` for a collection of type `def` with generic arguments
/// `targs` and element type `elem`: its own type (invariant arguments),
/// a base or interface named in `def.bases` (two-parameter ones such as
/// `IDictionary` compare `targs`, one-parameter ones the element type;
/// `IEnumerable<T>`, `IReadOnlyCollection<T>`, `IReadOnlyList<T>` and
/// `IEnumerator<T>` are covariant), or `object`.
pub fn instance_of(def: &TypeDef, targs: &[TypeRef], elem: &TypeRef, ty: &TypeRef) -> bool {
    let TypeRef::Named(d, want) = ty else {
        return false;
    };
    if d.is(&OBJECT) {
        return true;
    }
    if d.is(def) {
        return generic_match(targs, want, false);
    }
    if !def.bases.contains(&d.name) {
        return false;
    }
    if d.generics == 2 {
        generic_match(targs, want, false)
    } else {
        let covariant = matches!(
            d.name,
            "IEnumerable" | "IReadOnlyCollection" | "IReadOnlyList" | "IEnumerator"
        );
        generic_match(std::slice::from_ref(elem), want, covariant)
    }
}

/// The items of an enumerable argument (`AddRange(xs)`, `new List<T>(xs)`,
/// `UnionWith(xs)`): `ArgumentNullException` for null, `ArgumentException`
/// for a value that is not enumerable.
pub fn enumerate<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>, param: &str) -> EvalResult<Vec<Value<'a>>> {
    if v.is_null() {
        return Err(arg_null(param));
    }
    library::items(rt, v).unwrap_or_else(|| {
        Err(EvalError::argument(format!(
            "a value of type {} is not enumerable (Parameter '{param}')",
            v.type_name()
        )))
    })
}

/// Converts `items` for storage in a collection of element type `t`,
/// charging their memory.
pub fn store_all<'a>(rt: &mut dyn Runtime<'a>, items: Vec<Value<'a>>, t: &TypeRef) -> EvalResult<Vec<Value<'static>>> {
    alloc_items(rt, &items)?;
    items.into_iter().map(|v| store(rt, v, t)).collect()
}

/// `Debug` output of a collection: its type and first items (nested
/// objects by type name only, so the output never recurses).
pub fn fmt_items(f: &mut std::fmt::Formatter<'_>, name: &str, items: &[Value<'_>]) -> std::fmt::Result {
    write!(f, "{name}[")?;
    for (i, v) in items.iter().take(16).enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        match v {
            Value::Obj(o) => f.write_str(o.type_def().name)?,
            v => write!(f, "{v:?}")?,
        }
    }
    if items.len() > 16 {
        f.write_str(", …")?;
    }
    f.write_str("]")
}
