//! `ICryptoTransform`: what `CreateEncryptor()`/`CreateDecryptor()` return
//! (fixed key, IV, mode and padding; one direction; `TransformFinalBlock`).

use std::any::Any;
use std::rc::Rc;

use super::cipher::{run, Params};
use super::*;
use crate::library::collections::Array;
use crate::library::crypto::{bytes_arg, span};
use crate::value::Object;

pub(super) fn transform(p: Params, encrypt: bool) -> Value<'static> {
    Value::obj(Transform { p, encrypt })
}

/// An `ICryptoTransform`: fixed parameters, one direction.
pub struct Transform {
    p: Params,
    encrypt: bool,
}

impl Object for Transform {
    fn type_def(&self) -> &'static TypeDef {
        &CRYPTO_TRANSFORM
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        Some(Ok(match name {
            "InputBlockSize" | "OutputBlockSize" => Value::Int(BLOCK as i32),
            "CanTransformMultipleBlocks" | "CanReuseTransform" => Value::Bool(true),
            _ => return None,
        }))
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        match (name, args) {
            ("TransformFinalBlock", [input, offset, count]) => Some((|| {
                let data = bytes_arg(input, "inputBuffer")?;
                let r = span(data.len(), offset, count)?;
                let part = data.get(r).unwrap_or_default();
                if !self.encrypt && part.is_empty() {
                    return Ok(Array::bytes(Vec::new()));
                }
                Ok(Array::bytes(run(rt, &self.p, part, self.encrypt)?))
            })()),
            ("Dispose", []) => Some(Ok(Value::Null)),
            _ => None,
        }
    }

    fn fmt_debug(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ICryptoTransform(encrypt={})", self.encrypt)
    }
}
