//! Lexer unit tests: literals, suffixes, interpolation pieces, punctuation
//! and error positions.

use super::*;

fn toks(src: &str) -> Vec<Tok> {
    lex(src, 0, src.len()).unwrap().into_iter().map(|t| t.tok).collect()
}

fn err(src: &str) -> CompileError {
    lex(src, 0, src.len()).unwrap_err()
}

#[test]
fn strings_and_chars() {
    assert_eq!(
        toks(r#""a\"b\u0041\x41\n""#),
        vec![Tok::Str("a\"bAA\n".into()), Tok::Eof]
    );
    assert_eq!(toks(r#""\U0001F600""#), vec![Tok::Str("😀".into()), Tok::Eof]);
    assert_eq!(toks(r#"@"c:\x""y""#), vec![Tok::Str("c:\\x\"y".into()), Tok::Eof]);
    assert_eq!(
        toks(r"'\'' 'x' '\u0041' '\x41' '\\'"),
        vec![
            Tok::Char('\''),
            Tok::Char('x'),
            Tok::Char('A'),
            Tok::Char('A'),
            Tok::Char('\\'),
            Tok::Eof
        ]
    );
    assert_eq!(
        toks("@class if"),
        vec![Tok::Ident("class".into()), Tok::Kw("if"), Tok::Eof]
    );
}

#[test]
fn numbers() {
    use IntSuffix as I;
    assert_eq!(
        toks("1 0x1F 0b101 1_000 2u 3L 4UL 5lu 0xFFu"),
        vec![
            Tok::Int(1, I::None),
            Tok::Int(31, I::None),
            Tok::Int(5, I::None),
            Tok::Int(1000, I::None),
            Tok::Int(2, I::U),
            Tok::Int(3, I::L),
            Tok::Int(4, I::UL),
            Tok::Int(5, I::UL),
            Tok::Int(255, I::U),
            Tok::Eof
        ]
    );
    assert_eq!(
        toks("2.5 1e3 .5 3d 1.5f 1.10m 2M"),
        vec![
            Tok::Real(2.5, RealSuffix::None, "2.5".into()),
            Tok::Real(1000.0, RealSuffix::None, "1e3".into()),
            Tok::Real(0.5, RealSuffix::None, ".5".into()),
            Tok::Real(3.0, RealSuffix::D, "3".into()),
            Tok::Real(1.5, RealSuffix::F, "1.5".into()),
            Tok::Real(1.1, RealSuffix::M, "1.10".into()),
            Tok::Real(2.0, RealSuffix::M, "2".into()),
            Tok::Eof
        ]
    );
    assert_eq!(
        toks("1.ToString()")[..3],
        [Tok::Int(1, I::None), Tok::Punct("."), Tok::Ident("ToString".into())]
    );
    assert_eq!(toks("18446744073709551615")[0], Tok::Int(u64::MAX, I::None));
    assert!(err("18446744073709551616").message.contains("too large"));
    assert!(err("1.5L").message.contains("suffix"));
    assert!(err("12abc").message.contains("invalid numeric literal"));
    assert!(err("0x").message.contains("hexadecimal"));
    assert!(err("1_").message.contains("_"));
    assert!(err("1e999").message.contains("range"));
}

#[test]
fn interpolation() {
    let src = r#"$"a{{{x}-{y:o}}}""#;
    let t = toks(src);
    let Tok::Interp(p) = &t[0] else { panic!("{t:?}") };
    assert_eq!(p[0], Piece::Text("a{".into()));
    assert_eq!(
        p[1],
        Piece::Hole {
            start: 6,
            end: 7,
            align: None,
            format: None
        }
    );
    assert_eq!(p[2], Piece::Text("-".into()));
    assert_eq!(
        p[3],
        Piece::Hole {
            start: 10,
            end: 11,
            align: None,
            format: Some("o".into())
        }
    );
    assert_eq!(p[4], Piece::Text("}".into()));
    let src = r#"$"{x,-8:N2}""#;
    let Tok::Interp(p) = &toks(src)[0] else { panic!() };
    assert_eq!(
        p[0],
        Piece::Hole {
            start: 3,
            end: 4,
            align: Some((5, 7)),
            format: Some("N2".into())
        }
    );
    assert!(err(r#"$"a}b""#).message.contains("doubled"));
    assert!(err(r#"$"{}""#).message.contains("empty interpolation hole"));
    assert!(err(r#"$"{x"#).message.contains("unterminated"));
}

#[test]
fn punctuation_and_errors() {
    assert_eq!(
        toks("a?.b ?? c?[0] >> x ??= <<="),
        vec![
            Tok::Ident("a".into()),
            Tok::Punct("?."),
            Tok::Ident("b".into()),
            Tok::Punct("??"),
            Tok::Ident("c".into()),
            Tok::Punct("?"),
            Tok::Punct("["),
            Tok::Int(0, IntSuffix::None),
            Tok::Punct("]"),
            Tok::Punct(">"),
            Tok::Punct(">"),
            Tok::Ident("x".into()),
            Tok::Punct("??="),
            Tok::Punct("<<="),
            Tok::Eof
        ]
    );
    assert_eq!(toks("c?.5:1")[1], Tok::Punct("?"));
    let e = lex("a # b", 0, 5).unwrap_err();
    assert_eq!(e.offset, 2);
    let e = lex("a ` b", 0, 5).unwrap_err();
    assert_eq!(e.offset, 2);
    assert!(err("\"abc").message.contains("unterminated"));
    assert!(err("/* x").message.contains("unterminated comment"));
    assert!(err("'ab'").message.contains("more than one"));
    assert!(err("''").message.contains("empty"));
    assert!(err(r#""\q""#).message.contains("escape"));
}

#[test]
fn positions_are_byte_offsets() {
    let t = lex("é + 1", 0, 6).unwrap();
    assert_eq!((t[0].pos, t[0].end), (0, 2));
    assert_eq!((t[1].pos, t[1].end), (3, 4));
    assert!(lex("é", 1, 2).is_err());
    assert!(lex("ab", 0, 9).is_err());
}
