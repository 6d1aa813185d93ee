//! `new`: objects with arguments and initializers (`new T(a) { P = 1 }`,
//! `new List<int> { 1, 2 }`, `new Dictionary<string, int> { {"k", 1} }`,
//! `new Dictionary<string, int> { ["k"] = 1 }`), arrays (`new int[3]`,
//! `new int[] { … }`, `new int[n][]`, `new[] { … }`), anonymous objects
//! (`new { a = 1, x.B }`); and the array initializer of declarations
//! (`int[] a = { 1, 2 };`).
//!
//! Invariants: one initializer has one kind (object, collection or index
//! initializer, chosen by its first element, as C# requires); nested
//! object initializers (`{ A = { B = 1 } }`) and multi-dimensional arrays
//! are refused by name; every `{` nests through `Parser::enter`.

use super::super::ast::{Ast, Init, Kind, TypeName};
use super::super::CompileError;
use super::{node, Parser};

impl Parser<'_> {
    /// At `new`.
    pub(super) fn new_expr(&mut self) -> Result<Ast, CompileError> {
        let pos = self.pos();
        self.bump();
        if self.is("[") {
            self.bump();
            if self.is(",") {
                return Err(CompileError::at(
                    self.pos(),
                    "multi-dimensional arrays are not supported",
                ));
            }
            self.expect("]", "in `new[]`")?;
            if !self.is("{") {
                return Err(self.unexpected("an array initializer `{ … }` after `new[]`"));
            }
            let items = self.array_items()?;
            return Ok(array_node(None, None, Some(items), pos));
        }
        if self.is("{") {
            return self.anonymous(pos);
        }
        let ty = self.type_name(true)?;
        if self.is("[") {
            self.bump();
            let size = self.expr()?;
            if self.is(",") {
                return Err(CompileError::at(
                    self.pos(),
                    "multi-dimensional arrays are not supported",
                ));
            }
            self.expect("]", "to close the array size")?;
            let mut elem = ty;
            while self.is("[") && self.is_at(1, "]") {
                self.bump();
                self.bump();
                elem.array = elem.array.saturating_add(1);
            }
            let items = if self.is("{") { Some(self.array_items()?) } else { None };
            return Ok(array_node(Some(elem), Some(size), items, pos));
        }
        if self.is("(") {
            self.bump();
            let args = self.args(")")?;
            let init = if self.is("{") { Some(self.initializer()?) } else { None };
            return Ok(node(Kind::New { ty, args, init }, pos));
        }
        if self.is("{") {
            if ty.array > 0 {
                let mut elem = ty;
                elem.array -= 1;
                let items = self.array_items()?;
                return Ok(array_node(Some(elem), None, Some(items), pos));
            }
            let init = self.initializer()?;
            return Ok(node(
                Kind::New {
                    ty,
                    args: Vec::new(),
                    init: Some(init),
                },
                pos,
            ));
        }
        if ty.array > 0 {
            return Err(self.unexpected("an array size or initializer `{ … }`"));
        }
        Err(self.unexpected(&format!("`(`, `[` or `{{` after `new {ty}`")))
    }

    /// `{ a, b, }` of an array (the cursor at `{`).
    pub(super) fn array_items(&mut self) -> Result<Vec<Ast>, CompileError> {
        self.nested(|p| {
            p.bump();
            let mut items = Vec::new();
            while !p.eat("}") {
                if p.is("{") {
                    return Err(CompileError::at(
                        p.pos(),
                        "nested array initializers (multi-dimensional arrays) are not supported",
                    ));
                }
                items.push(p.expr()?);
                if !p.eat(",") && !p.is("}") {
                    return Err(p.unexpected("`,` or `}` in the array initializer"));
                }
            }
            Ok(items)
        })
    }

    /// An object, collection or index initializer (the cursor at `{`).
    fn initializer(&mut self) -> Result<Init, CompileError> {
        self.nested(|p| {
            p.bump();
            let mut init: Option<Init> = None;
            while !p.eat("}") {
                let pos = p.pos();
                let member = matches!(p.peek(), super::Tok::Ident(_)) && p.is_at(1, "=");
                match (&mut init, member, p.is("["), p.is("{")) {
                    (None | Some(Init::Object(_)), true, _, _) => {
                        let name = p.ident("a member name")?;
                        p.bump();
                        if p.is("{") {
                            return Err(CompileError::at(
                                p.pos(),
                                "nested object initializers are not supported",
                            ));
                        }
                        let value = p.expr()?;
                        match &mut init {
                            Some(Init::Object(v)) => v.push((name, value)),
                            _ => init = Some(Init::Object(vec![(name, value)])),
                        }
                    }
                    (None | Some(Init::Index(_)), false, true, _) => {
                        p.bump();
                        let key = p.expr()?;
                        if p.is(",") {
                            return Err(CompileError::at(
                                p.pos(),
                                "multi-argument index initializers are not supported",
                            ));
                        }
                        p.expect("]", "to close the index initializer")?;
                        p.expect("=", "after `[key]` in the index initializer")?;
                        if p.is("{") {
                            return Err(CompileError::at(
                                p.pos(),
                                "nested object initializers are not supported",
                            ));
                        }
                        let value = p.expr()?;
                        match &mut init {
                            Some(Init::Index(v)) => v.push((key, value)),
                            _ => init = Some(Init::Index(vec![(key, value)])),
                        }
                    }
                    (None | Some(Init::Collection(_)), false, false, brace) => {
                        let args = if brace {
                            p.bump();
                            let mut args = Vec::new();
                            loop {
                                args.push(p.expr()?);
                                if p.eat("}") {
                                    break;
                                }
                                p.expect(",", "or `}` in the collection element")?;
                            }
                            args
                        } else {
                            vec![p.expr()?]
                        };
                        match &mut init {
                            Some(Init::Collection(v)) => v.push(args),
                            _ => init = Some(Init::Collection(vec![args])),
                        }
                    }
                    _ => {
                        return Err(CompileError::at(
                            pos,
                            "an initializer cannot mix member (`A = 1`), index (`[k] = v`) and collection elements",
                        ))
                    }
                }
                if !p.eat(",") && !p.is("}") {
                    return Err(p.unexpected("`,` or `}` in the initializer"));
                }
            }
            Ok(init.unwrap_or(Init::Object(Vec::new())))
        })
    }

    /// `new { a = 1, x.B }` (the cursor at `{`).
    fn anonymous(&mut self, pos: usize) -> Result<Ast, CompileError> {
        let members = self.nested(|p| {
            p.bump();
            let mut members = Vec::new();
            while !p.eat("}") {
                if matches!(p.peek(), super::Tok::Ident(_)) && p.is_at(1, "=") {
                    let name = p.ident("a member name")?;
                    p.bump();
                    members.push((name, p.expr()?));
                } else {
                    let e = p.expr()?;
                    let name = match &e.kind {
                        Kind::Name(n) => n.clone(),
                        Kind::Member { name, .. } => name.clone(),
                        _ => {
                            return Err(CompileError::at(
                                e.pos,
                                "an anonymous type member needs a name: write `Name = value`",
                            ))
                        }
                    };
                    members.push((name, e));
                }
                if !p.eat(",") && !p.is("}") {
                    return Err(p.unexpected("`,` or `}` in the anonymous object"));
                }
            }
            Ok(members)
        })?;
        Ok(node(Kind::NewAnon(members), pos))
    }
}

fn array_node(elem: Option<TypeName>, size: Option<Ast>, items: Option<Vec<Ast>>, pos: usize) -> Ast {
    node(
        Kind::NewArray {
            elem,
            size: size.map(Box::new),
            items,
        },
        pos,
    )
}
