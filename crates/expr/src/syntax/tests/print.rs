//! A compact, fully parenthesised printer of the syntax tree, for tests:
//! every operator node is wrapped in `( )`, a parenthesised expression
//! prints as `(e)` around its already wrapped content, a type in
//! expression position as `‹T›`.

use crate::syntax::ast::{
    Arg, ArgMod, Ast, Catch, DeclKind, Init, IntSuffix, Kind, Label, LambdaBody, Part, Pattern, RealSuffix, Stmt, UnOp,
};

pub(crate) fn print_expr(e: &Ast) -> String {
    let mut s = String::new();
    expr(&mut s, e);
    s
}

pub(crate) fn print_block(b: &[Stmt]) -> String {
    let mut s = String::new();
    stmts(&mut s, b);
    s
}

fn list<T>(s: &mut String, items: &[T], f: impl Fn(&mut String, &T)) {
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        f(s, x);
    }
}

fn expr(s: &mut String, e: &Ast) {
    match &e.kind {
        Kind::Null => s.push_str("null"),
        Kind::Bool(b) => s.push_str(&b.to_string()),
        Kind::Int(v, suf) => {
            s.push_str(&v.to_string());
            s.push_str(match suf {
                IntSuffix::None => "",
                IntSuffix::U => "u",
                IntSuffix::L => "L",
                IntSuffix::UL => "UL",
            });
        }
        Kind::Real(_, suf, text) => {
            s.push_str(text);
            s.push_str(match suf {
                RealSuffix::None => "",
                RealSuffix::F => "f",
                RealSuffix::D => "d",
                RealSuffix::M => "m",
            });
        }
        Kind::Str(t) => s.push_str(&format!("{t:?}")),
        Kind::Char(c) => s.push_str(&format!("{c:?}")),
        Kind::Interp(parts) => {
            s.push_str("$\"");
            for p in parts {
                match p {
                    Part::Text(t) => s.push_str(&t.replace('{', "{{").replace('}', "}}")),
                    Part::Hole {
                        value,
                        alignment,
                        format,
                    } => {
                        s.push('{');
                        expr(s, value);
                        if let Some(a) = alignment {
                            s.push(',');
                            expr(s, a);
                        }
                        if let Some(f) = format {
                            s.push(':');
                            s.push_str(f);
                        }
                        s.push('}');
                    }
                }
            }
            s.push('"');
        }
        Kind::Name(n) => s.push_str(n),
        Kind::Member {
            obj,
            name,
            cond,
            generics,
        } => {
            expr(s, obj);
            s.push_str(if *cond { "?." } else { "." });
            s.push_str(name);
            if !generics.is_empty() {
                s.push('<');
                list(s, generics, |s, t| s.push_str(&t.to_string()));
                s.push('>');
            }
        }
        Kind::Call { callee, args } => {
            expr(s, callee);
            s.push('(');
            list(s, args, arg);
            s.push(')');
        }
        Kind::Index { obj, args, cond } => {
            expr(s, obj);
            s.push_str(if *cond { "?[" } else { "[" });
            list(s, args, expr);
            s.push(']');
        }
        Kind::Unary(op, x) => {
            s.push('(');
            let (pre, post) = match op {
                UnOp::Neg => ("-", ""),
                UnOp::Plus => ("+", ""),
                UnOp::Not => ("!", ""),
                UnOp::BitNot => ("~", ""),
                UnOp::PreInc => ("++", ""),
                UnOp::PreDec => ("--", ""),
                UnOp::PostInc => ("", "++"),
                UnOp::PostDec => ("", "--"),
            };
            s.push_str(pre);
            expr(s, x);
            s.push_str(post);
            s.push(')');
        }
        Kind::Binary(op, l, r) => {
            s.push('(');
            expr(s, l);
            s.push_str(&format!(" {} ", op.symbol()));
            expr(s, r);
            s.push(')');
        }
        Kind::Assign { op, target, value } => {
            s.push('(');
            expr(s, target);
            s.push_str(&format!(" {}= ", op.map_or("", |o| o.symbol())));
            expr(s, value);
            s.push(')');
        }
        Kind::Cond(c, a, b) => {
            s.push('(');
            expr(s, c);
            s.push_str(" ? ");
            expr(s, a);
            s.push_str(" : ");
            expr(s, b);
            s.push(')');
        }
        Kind::Cast(t, x) => {
            s.push_str(&format!("(({t})"));
            expr(s, x);
            s.push(')');
        }
        Kind::As(x, t) => {
            s.push('(');
            expr(s, x);
            s.push_str(&format!(" as {t})"));
        }
        Kind::Is(x, p) => {
            s.push('(');
            expr(s, x);
            s.push_str(" is ");
            pattern(s, p);
            s.push(')');
        }
        Kind::Lambda { params, body } => {
            s.push_str("((");
            list(s, params, |s, p| match &p.ty {
                Some(t) => s.push_str(&format!("{t} {}", p.name)),
                None => s.push_str(&p.name),
            });
            s.push_str(") => ");
            match body {
                LambdaBody::Expr(e) => expr(s, e),
                LambdaBody::Block(b) => block(s, b),
            }
            s.push(')');
        }
        Kind::New { ty, args, init } => {
            s.push_str(&format!("new {ty}("));
            list(s, args, arg);
            s.push(')');
            if let Some(init) = init {
                s.push_str(" {");
                match init {
                    Init::Object(m) => list(s, m, |s, (n, v)| {
                        s.push_str(&format!("{n} = "));
                        expr(s, v);
                    }),
                    Init::Collection(items) => list(s, items, |s, args| {
                        if args.len() == 1 {
                            expr(s, &args[0]);
                        } else {
                            s.push('{');
                            list(s, args, expr);
                            s.push('}');
                        }
                    }),
                    Init::Index(items) => list(s, items, |s, (k, v)| {
                        s.push('[');
                        expr(s, k);
                        s.push_str("] = ");
                        expr(s, v);
                    }),
                }
                s.push('}');
            }
        }
        Kind::NewArray { elem, size, items } => {
            s.push_str("new ");
            if let Some(t) = elem {
                s.push_str(&t.to_string());
            }
            s.push('[');
            if let Some(n) = size {
                expr(s, n);
            }
            s.push(']');
            if let Some(items) = items {
                s.push_str(" {");
                list(s, items, expr);
                s.push('}');
            }
        }
        Kind::NewAnon(m) => {
            s.push_str("new {");
            list(s, m, |s, (n, v)| {
                s.push_str(&format!("{n} = "));
                expr(s, v);
            });
            s.push('}');
        }
        Kind::Type(t) => s.push_str(&format!("‹{t}›")),
        Kind::Default(None) => s.push_str("default"),
        Kind::Default(Some(t)) => s.push_str(&format!("default({t})")),
        Kind::TypeOf(t) => s.push_str(&format!("typeof({t})")),
        Kind::NameOf(n) => s.push_str(&format!("nameof({n})")),
        Kind::Checked(c, x) => {
            s.push_str(if *c { "checked(" } else { "unchecked(" });
            expr(s, x);
            s.push(')');
        }
        Kind::Throw(x) => {
            s.push_str("(throw ");
            expr(s, x);
            s.push(')');
        }
        Kind::OutVar(t, n) => match t {
            Some(t) => s.push_str(&format!("{t} {n}")),
            None => s.push_str(&format!("var {n}")),
        },
        Kind::Paren(x) => {
            s.push('(');
            expr(s, x);
            s.push(')');
        }
    }
}

fn arg(s: &mut String, a: &Arg) {
    if let Some(n) = &a.name {
        s.push_str(&format!("{n}: "));
    }
    s.push_str(match a.modifier {
        ArgMod::None => "",
        ArgMod::Out => "out ",
        ArgMod::Ref => "ref ",
        ArgMod::In => "in ",
    });
    expr(s, &a.value);
}

fn pattern(s: &mut String, p: &Pattern) {
    match p {
        Pattern::Type(t, None) => s.push_str(&t.to_string()),
        Pattern::Type(t, Some(n)) => s.push_str(&format!("{t} {n}")),
        Pattern::Var(n) => s.push_str(&format!("var {n}")),
        Pattern::Const(e) => expr(s, e),
    }
}

fn block(s: &mut String, b: &[Stmt]) {
    if b.is_empty() {
        s.push_str("{}");
        return;
    }
    s.push_str("{ ");
    stmts(s, b);
    s.push_str(" }");
}

fn stmts(s: &mut String, b: &[Stmt]) {
    for (i, st) in b.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        stmt(s, st);
    }
}

fn decl_or_exprs(s: &mut String, init: &[Stmt]) {
    for (i, st) in init.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        match st {
            Stmt::Expr(e) => expr(s, e),
            other => {
                stmt(s, other);
                s.pop();
            }
        }
    }
}

fn stmt(s: &mut String, st: &Stmt) {
    match st {
        Stmt::LocalFunc {
            ret,
            name,
            params,
            body,
            ..
        } => {
            s.push_str(&format!("{ret} {name}("));
            list(s, params, |s, p| {
                if let Some(t) = &p.ty {
                    s.push_str(&format!("{t} "));
                }
                s.push_str(&p.name);
            });
            s.push_str(") ");
            match body {
                LambdaBody::Expr(e) => {
                    s.push_str("=> ");
                    expr(s, e);
                    s.push(';');
                }
                LambdaBody::Block(b) => block(s, b),
            }
        }
        Stmt::Decl { ty, vars, kind, .. } => {
            match kind {
                DeclKind::Const => s.push_str("const "),
                DeclKind::Using => s.push_str("using "),
                DeclKind::Local => {}
            }
            s.push_str(&format!("{ty} "));
            list(s, vars, |s, d| {
                s.push_str(&d.name);
                if let Some(v) = &d.init {
                    s.push_str(" = ");
                    expr(s, v);
                }
            });
            s.push(';');
        }
        Stmt::Expr(e) => {
            expr(s, e);
            s.push(';');
        }
        Stmt::If { cond, then, els, .. } => {
            s.push_str("if (");
            expr(s, cond);
            s.push_str(") ");
            stmt(s, then);
            if let Some(e) = els {
                s.push_str(" else ");
                stmt(s, e);
            }
        }
        Stmt::Switch { value, sections, .. } => {
            s.push_str("switch (");
            expr(s, value);
            s.push_str(") {");
            for sec in sections {
                for l in &sec.labels {
                    match l {
                        Label::Case(p, guard, _) => {
                            s.push_str(" case ");
                            pattern(s, p);
                            if let Some(g) = guard {
                                s.push_str(" when ");
                                expr(s, g);
                            }
                            s.push(':');
                        }
                        Label::Default(_) => s.push_str(" default:"),
                    }
                }
                for b in &sec.body {
                    s.push(' ');
                    stmt(s, b);
                }
            }
            s.push_str(" }");
        }
        Stmt::For {
            init, cond, step, body, ..
        } => {
            s.push_str("for (");
            decl_or_exprs(s, init);
            s.push_str("; ");
            if let Some(c) = cond {
                expr(s, c);
            }
            s.push_str("; ");
            list(s, step, expr);
            s.push_str(") ");
            stmt(s, body);
        }
        Stmt::Foreach {
            ty, name, coll, body, ..
        } => {
            s.push_str(&format!("foreach ({ty} {name} in "));
            expr(s, coll);
            s.push_str(") ");
            stmt(s, body);
        }
        Stmt::While { cond, body, .. } => {
            s.push_str("while (");
            expr(s, cond);
            s.push_str(") ");
            stmt(s, body);
        }
        Stmt::DoWhile { body, cond, .. } => {
            s.push_str("do ");
            stmt(s, body);
            s.push_str(" while (");
            expr(s, cond);
            s.push_str(");");
        }
        Stmt::Break(_) => s.push_str("break;"),
        Stmt::Continue(_) => s.push_str("continue;"),
        Stmt::Return(v, _) | Stmt::Throw(v, _) => {
            s.push_str(if matches!(st, Stmt::Return(..)) {
                "return"
            } else {
                "throw"
            });
            if let Some(v) = v {
                s.push(' ');
                expr(s, v);
            }
            s.push(';');
        }
        Stmt::Try {
            body, catches, finally, ..
        } => {
            s.push_str("try ");
            block(s, body);
            for c in catches {
                catch(s, c);
            }
            if let Some(f) = finally {
                s.push_str(" finally ");
                block(s, f);
            }
        }
        Stmt::Checked(c, b) => {
            s.push_str(if *c { "checked " } else { "unchecked " });
            block(s, b);
        }
        Stmt::Block(b) => block(s, b),
        Stmt::Empty => s.push(';'),
    }
}

fn catch(s: &mut String, c: &Catch) {
    s.push_str(" catch ");
    if let Some(t) = &c.ty {
        s.push_str(&format!("({t}"));
        if let Some(n) = &c.name {
            s.push_str(&format!(" {n}"));
        }
        s.push_str(") ");
    }
    if let Some(f) = &c.filter {
        s.push_str("when (");
        expr(s, f);
        s.push_str(") ");
    }
    block(s, &c.body);
}
