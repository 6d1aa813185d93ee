//! Compile errors (an expression outside the subset, or ill-typed) and
//! evaluation errors (the .NET exception an evaluation throws).

use std::fmt;

/// An expression outside the subset or ill-typed. `offset` is a byte
/// offset into the compiled text; `line` and `column` (1-based, columns in
/// chars) locate it within that text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CompileError {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl CompileError {
    /// An error at byte `offset`; [`CompileError::locate`] fills in the line
    /// and column once the whole text is known.
    pub fn at(offset: usize, message: impl Into<String>) -> CompileError {
        CompileError {
            offset,
            line: 1,
            column: 1,
            message: message.into(),
        }
    }

    /// Fills `line` and `column` from `offset` within `src`.
    pub fn locate(mut self, src: &str) -> CompileError {
        let mut offset = self.offset.min(src.len());
        while !src.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &src[..offset];
        self.line = before.matches('\n').count() + 1;
        self.column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        self
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (expression line {}, column {})",
            self.message, self.line, self.column
        )
    }
}

/// The .NET exception an evaluation failure corresponds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalErrorKind {
    /// `System.Exception` (what `throw new Exception("…")` throws).
    Exception,
    NullReference,
    KeyNotFound,
    InvalidCast,
    Format,
    Overflow,
    DivideByZero,
    ArgumentOutOfRange,
    IndexOutOfRange,
    ArgumentNull,
    Argument,
    InvalidOperation,
    NotSupported,
    /// The evaluation used more steps or memory than its budget allows
    /// (an infinite loop, a runaway string build). Not catchable by
    /// `catch`: it always ends the evaluation.
    Budget,
    /// Any other .NET exception, by its type name (`JsonReaderException`,
    /// `XmlException`, `UriFormatException`, `CryptographicException`, …).
    Other(&'static str),
}

impl EvalErrorKind {
    /// The .NET exception type name (`NullReferenceException`, …).
    pub fn exception(self) -> &'static str {
        match self {
            EvalErrorKind::Exception => "Exception",
            EvalErrorKind::NullReference => "NullReferenceException",
            EvalErrorKind::KeyNotFound => "KeyNotFoundException",
            EvalErrorKind::InvalidCast => "InvalidCastException",
            EvalErrorKind::Format => "FormatException",
            EvalErrorKind::Overflow => "OverflowException",
            EvalErrorKind::DivideByZero => "DivideByZeroException",
            EvalErrorKind::ArgumentOutOfRange => "ArgumentOutOfRangeException",
            EvalErrorKind::IndexOutOfRange => "IndexOutOfRangeException",
            EvalErrorKind::ArgumentNull => "ArgumentNullException",
            EvalErrorKind::Argument => "ArgumentException",
            EvalErrorKind::InvalidOperation => "InvalidOperationException",
            EvalErrorKind::NotSupported => "NotSupportedException",
            EvalErrorKind::Budget => "ExpressionBudgetExceeded",
            EvalErrorKind::Other(name) => name,
        }
    }

    /// Whether a `catch (T)` clause naming `.NET` type `name` catches it
    /// (`Exception` catches everything but the budget; `ArgumentException`
    /// also catches its subclasses `ArgumentNullException` and
    /// `ArgumentOutOfRangeException`; `SystemException` catches the system
    /// ones).
    pub fn caught_by(self, name: &str) -> bool {
        if self == EvalErrorKind::Budget {
            return false;
        }
        let name = name.rsplit('.').next().unwrap_or(name);
        match name {
            "Exception" => true,
            "ArgumentException" => matches!(
                self,
                EvalErrorKind::Argument | EvalErrorKind::ArgumentNull | EvalErrorKind::ArgumentOutOfRange
            ),
            "ArithmeticException" => matches!(self, EvalErrorKind::Overflow | EvalErrorKind::DivideByZero),
            "SystemException" => self != EvalErrorKind::Exception,
            _ => self.exception() == name,
        }
    }
}

/// A runtime failure of an expression: a .NET exception and its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", kind.exception())]
pub struct EvalError {
    pub kind: EvalErrorKind,
    pub message: String,
}

impl EvalError {
    pub fn new(kind: EvalErrorKind, message: impl Into<String>) -> EvalError {
        EvalError {
            kind,
            message: message.into(),
        }
    }

    /// .NET's `NullReferenceException` for a member `what` read on null.
    pub fn null_ref(what: impl fmt::Display) -> EvalError {
        EvalError::new(
            EvalErrorKind::NullReference,
            format!("Object reference not set to an instance of an object ({what} on null)"),
        )
    }

    /// An `InvalidCastException` for a value of .NET type `from` used as `to`.
    pub fn cast(from: &str, to: impl fmt::Display) -> EvalError {
        EvalError::new(
            EvalErrorKind::InvalidCast,
            format!("Unable to cast object of type '{from}' to type '{to}'."),
        )
    }

    /// An `ArgumentException` for a bad argument (wrong count or type of a
    /// call the checker could not see statically).
    pub fn argument(message: impl Into<String>) -> EvalError {
        EvalError::new(EvalErrorKind::Argument, message)
    }
}

/// Shorthand for a fallible evaluation result.
pub type EvalResult<T> = Result<T, EvalError>;
