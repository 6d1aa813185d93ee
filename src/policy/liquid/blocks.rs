//! The blocks whose cost depends on the data, written here with bounds:
//! `for` and APIM's `JSONArrayFor` (one loop, the latter writing `,`
//! between items), and `capture`; plus the per-render [`Budget`] they and
//! the filters charge, and the size-bounded writer a render writes into.
//!
//! Invariants: a counted range `(a..b)` is never materialised (its length
//! is checked first); every loop iteration and every byte a filter or a
//! capture produces is charged to the render's budget, so a template over
//! hostile data ends with an error instead of stalling or exhausting memory.

use std::io::Write;

use liquid_core::error::ResultLiquidReplaceExt;
use liquid_core::model::{KString, KStringRef, Value, ValueCow, ValueView};
use liquid_core::parser::{BlockElement, TryMatchToken};
use liquid_core::runtime::{Interrupt, InterruptRegister, StackFrame};
use liquid_core::{
    BlockReflection, Error, Expression, Language, ParseBlock, Renderable, Result, Runtime, TagBlock, TagTokenIter,
    Template,
};
use liquid_lib::stdlib::ForloopObject;

/// What one render may still spend.
#[derive(Debug, Default)]
pub struct Budget {
    pub iterations: u64,
    pub bytes: u64,
}

/// Charges one loop iteration.
pub fn charge_iteration(rt: &dyn Runtime) -> Result<()> {
    charge_iterations(rt, 1)
}

/// Charges `n` loop iterations' worth of work (copying a loop's items).
pub fn charge_iterations(rt: &dyn Runtime, n: usize) -> Result<()> {
    let mut b = rt.registers().get_mut::<Budget>();
    b.iterations = b
        .iterations
        .checked_sub(n as u64)
        .ok_or_else(|| Error::with_msg("the template runs too many loop iterations"))?;
    Ok(())
}

/// Charges `n` bytes of produced text.
pub fn charge_bytes(rt: &dyn Runtime, n: usize) -> Result<()> {
    let mut b = rt.registers().get_mut::<Budget>();
    b.bytes = b
        .bytes
        .checked_sub(n as u64)
        .ok_or_else(|| Error::with_msg("the template produces too much text"))?;
    Ok(())
}

/// DotLiquid's lax lookups over a runtime: a variable or member that does
/// not exist is `nil` (renders as nothing) instead of an error.
pub struct Lax<R>(pub R);

impl<R: Runtime> Runtime for Lax<R> {
    fn partials(&self) -> &dyn liquid_core::runtime::PartialStore {
        self.0.partials()
    }

    fn name(&self) -> Option<KStringRef<'_>> {
        self.0.name()
    }

    fn roots(&self) -> std::collections::BTreeSet<liquid_core::model::KStringCow<'_>> {
        self.0.roots()
    }

    fn try_get(&self, path: &[liquid_core::model::ScalarCow<'_>]) -> Option<ValueCow<'_>> {
        self.0.try_get(path)
    }

    fn get(&self, path: &[liquid_core::model::ScalarCow<'_>]) -> Result<ValueCow<'_>> {
        Ok(self.0.try_get(path).unwrap_or(ValueCow::Owned(Value::Nil)))
    }

    fn set_global(&self, name: KString, val: Value) -> Option<Value> {
        self.0.set_global(name, val)
    }

    fn set_index(&self, name: KString, val: Value) -> Option<Value> {
        self.0.set_index(name, val)
    }

    fn get_index<'a>(&'a self, name: &str) -> Option<ValueCow<'a>> {
        self.0.get_index(name)
    }

    fn registers(&self) -> &liquid_core::runtime::Registers {
        self.0.registers()
    }
}

/// A writer that refuses to grow past `max` bytes.
pub struct Bounded {
    pub buf: Vec<u8>,
    pub max: usize,
    /// Set when a write was refused (the liquid crate rewords I/O errors).
    pub overflow: bool,
}

impl Bounded {
    pub fn new(max: usize) -> Bounded {
        Bounded {
            buf: Vec::new(),
            max,
            overflow: false,
        }
    }
}

impl Write for Bounded {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len().saturating_add(data.len()) > self.max {
            self.overflow = true;
            return Err(std::io::Error::other(format!(
                "the rendered body is larger than {} bytes",
                self.max
            )));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `for` (`json: false`) and `JSONArrayFor` (`json: true`).
#[derive(Clone, Copy, Debug)]
pub struct ForBlock {
    pub json: bool,
}

impl BlockReflection for ForBlock {
    fn start_tag(&self) -> &str {
        if self.json {
            "JSONArrayFor"
        } else {
            "for"
        }
    }

    fn end_tag(&self) -> &str {
        if self.json {
            "endJSONArrayFor"
        } else {
            "endfor"
        }
    }

    fn description(&self) -> &str {
        ""
    }
}

#[derive(Debug)]
enum Range {
    Items(Expression),
    Counted(Expression, Expression),
}

#[derive(Debug)]
struct For {
    json: bool,
    var: KString,
    range: Range,
    body: Template,
    otherwise: Option<Template>,
    limit: Option<Expression>,
    offset: Option<Expression>,
    reversed: bool,
}

fn attr_value(args: &mut TagTokenIter<'_>) -> Result<Expression> {
    args.expect_next("\":\" expected.")?
        .expect_str(":")
        .into_result_custom_msg("\":\" expected.")?;
    args.expect_next("Value expected.")?.expect_value().into_result()
}

impl ParseBlock for ForBlock {
    fn parse(
        &self,
        mut args: TagTokenIter<'_>,
        mut tokens: TagBlock<'_, '_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let var = args
            .expect_next("Identifier expected.")?
            .expect_identifier()
            .into_result()?;
        args.expect_next("\"in\" expected.")?
            .expect_str("in")
            .into_result_custom_msg("\"in\" expected.")?;
        let range = match args.expect_next("Array or range expected.")?.expect_value() {
            TryMatchToken::Matches(items) => Range::Items(items),
            TryMatchToken::Fails(t) => match t.expect_range() {
                TryMatchToken::Matches((a, b)) => Range::Counted(a, b),
                TryMatchToken::Fails(t) => return t.raise_error().into_err(),
            },
        };
        let (mut limit, mut offset, mut reversed) = (None, None, false);
        while let Some(t) = args.next() {
            match t.as_str() {
                "limit" => limit = Some(attr_value(&mut args)?),
                "offset" => offset = Some(attr_value(&mut args)?),
                "reversed" => reversed = true,
                _ => {
                    return t
                        .raise_custom_error("\"limit\", \"offset\" or \"reversed\" expected.")
                        .into_err()
                }
            }
        }
        args.expect_nothing()?;
        let mut body = Vec::new();
        let mut otherwise = None;
        while let Some(element) = tokens.next()? {
            match element {
                BlockElement::Tag(mut tag) if tag.name() == "else" => {
                    tag.tokens().expect_nothing()?;
                    otherwise = Some(Template::new(tokens.parse_all(options)?));
                    break;
                }
                BlockElement::Tag(tag) => body.push(tag.parse(&mut tokens, options)?),
                element => body.push(element.parse(&mut tokens, options)?),
            }
        }
        tokens.assert_empty();
        Ok(Box::new(For {
            json: self.json,
            var: KString::from_ref(var),
            range,
            body: Template::new(body),
            otherwise,
            limit,
            offset,
            reversed,
        }))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

/// Most items a counted range may have.
const MAX_RANGE: i64 = 100_000;

fn int(e: &Expression, rt: &dyn Runtime, what: &str) -> Result<i64> {
    let v = e.evaluate(rt)?;
    v.as_scalar()
        .and_then(|s| s.to_integer())
        .ok_or_else(|| Error::with_msg(format!("the {what} of a loop must be a whole number")))
}

impl Renderable for For {
    fn render_to(&self, w: &mut dyn Write, rt: &dyn Runtime) -> Result<()> {
        let items: Vec<ValueCow<'_>>;
        let (start, count) = match &self.range {
            Range::Items(e) => {
                let v = e.evaluate(rt)?;
                // Copying the items is work too: a loop nested in a loop
                // over a large body must run out of budget, not stall.
                charge_iterations(rt, v.as_array().map_or(0, |a| a.size() as usize))?;
                charge_iterations(rt, v.as_object().map_or(0, |o| o.size() as usize))?;
                items = if let Some(a) = v.as_array() {
                    a.values().map(|x| ValueCow::Owned(x.to_value())).collect()
                } else if let Some(o) = v.as_object() {
                    o.iter()
                        .map(|(k, x)| ValueCow::Owned(Value::Array(vec![Value::scalar(k.into_owned()), x.to_value()])))
                        .collect()
                } else if v.is_nil() || v.is_state() {
                    Vec::new()
                } else {
                    return Err(Error::with_msg(format!("cannot loop over a {}", v.type_name())));
                };
                (0, items.len() as i64)
            }
            Range::Counted(a, b) => {
                items = Vec::new();
                let (a, b) = (int(a, rt, "start")?, int(b, rt, "end")?);
                let n = b.saturating_sub(a).saturating_add(1).max(0);
                if n > MAX_RANGE {
                    return Err(Error::with_msg(format!("a range may have at most {MAX_RANGE} items")));
                }
                (a, n)
            }
        };
        let offset = match &self.offset {
            Some(e) => int(e, rt, "offset")?.clamp(0, count),
            None => 0,
        };
        let end = match &self.limit {
            Some(e) => offset.saturating_add(int(e, rt, "limit")?.max(0)).min(count),
            None => count,
        };
        let len = usize::try_from(end - offset).unwrap_or(0);
        if len == 0 {
            if let Some(t) = &self.otherwise {
                t.render_to(w, rt)?;
            }
            return Ok(());
        }
        for i in 0..len {
            charge_iteration(rt)?;
            let k = if self.reversed {
                end - 1 - i as i64
            } else {
                offset + i as i64
            };
            let counted;
            let item: &dyn ValueView = match usize::try_from(k).ok().and_then(|k| items.get(k)) {
                Some(v) => v.as_view(),
                None => {
                    counted = Value::scalar(start + k);
                    &counted
                }
            };
            if self.json && i > 0 {
                w.write_all(b",").replace("cannot write")?;
            }
            let forloop = ForloopObject::new(i, len);
            let mut root = std::collections::HashMap::<KStringRef<'_>, &dyn ValueView>::new();
            root.insert("forloop".into(), &forloop);
            root.insert(self.var.as_ref(), item);
            let scope = Lax(StackFrame::new(rt, &root));
            self.body.render_to(w, &scope)?;
            let interrupt = scope.registers().get_mut::<InterruptRegister>().reset();
            if let Some(Interrupt::Break) = interrupt {
                break;
            }
        }
        Ok(())
    }
}

/// `capture`, into a buffer bounded by the render's budget.
#[derive(Clone, Copy, Debug, Default)]
pub struct CaptureBlock;

impl BlockReflection for CaptureBlock {
    fn start_tag(&self) -> &str {
        "capture"
    }

    fn end_tag(&self) -> &str {
        "endcapture"
    }

    fn description(&self) -> &str {
        ""
    }
}

#[derive(Debug)]
struct Capture {
    id: KString,
    body: Template,
}

impl ParseBlock for CaptureBlock {
    fn parse(
        &self,
        mut args: TagTokenIter<'_>,
        mut tokens: TagBlock<'_, '_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let id = args
            .expect_next("Identifier expected")?
            .expect_identifier()
            .into_result()?;
        args.expect_nothing()?;
        let body = Template::new(tokens.parse_all(options)?);
        tokens.assert_empty();
        Ok(Box::new(Capture {
            id: KString::from_ref(id),
            body,
        }))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

impl Renderable for Capture {
    fn render_to(&self, _w: &mut dyn Write, rt: &dyn Runtime) -> Result<()> {
        let left = rt.registers().get_mut::<Budget>().bytes;
        let mut out = Bounded::new(usize::try_from(left).unwrap_or(usize::MAX));
        self.body.render_to(&mut out, rt).map_err(|e| {
            if out.overflow {
                Error::with_msg("the template produces too much text")
            } else {
                e
            }
        })?;
        charge_bytes(rt, out.buf.len())?;
        let text = String::from_utf8_lossy(&out.buf).into_owned();
        rt.set_global(self.id.clone(), Value::scalar(text));
        Ok(())
    }
}
