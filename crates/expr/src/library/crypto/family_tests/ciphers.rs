//! AES through `SymmetricAlgorithm`: NIST SP 800-38A vectors, padding, errors.

use super::*;
use crate::library::collections::Array;
use crate::testing::TestRt;
use crate::value::Value;

fn aes(rt: &mut TestRt, key: &str, iv: &str, mode: i64, padding: i64) -> Value<'static> {
    let a = stat(rt, &symmetric::SYMMETRIC_ALGORITHM, "Create", &[Value::str("Aes")]).unwrap();
    set(rt, &a, "Key", hexv(key)).unwrap();
    set(rt, &a, "IV", hexv(iv)).unwrap();
    set(rt, &a, "Mode", Value::Enum(&symmetric::CIPHER_MODE, mode)).unwrap();
    set(rt, &a, "Padding", Value::Enum(&symmetric::PADDING_MODE, padding)).unwrap();
    a
}

const K128: &str = "2b7e151628aed2a6abf7158809cf4f3c";
const K256: &str = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
const IV: &str = "000102030405060708090a0b0c0d0e0f";
const P1: &str = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51";

#[test]
fn aes_matches_nist_sp800_38a() {
    let mut rt = TestRt::new();
    let len = Value::Int(32);
    // F.2.1 CBC-AES128, F.2.5 CBC-AES256, F.1.1 ECB-AES128 (no padding).
    for (key, mode, want) in [
        (
            K128,
            1,
            "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2",
        ),
        (
            K256,
            1,
            "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d",
        ),
        (
            K128,
            2,
            "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf",
        ),
    ] {
        let a = aes(&mut rt, key, IV, mode, 1);
        let enc = call(&mut rt, &a, "CreateEncryptor", &[]).unwrap();
        let ct = call(
            &mut rt,
            &enc,
            "TransformFinalBlock",
            &[hexv(P1), Value::Int(0), len.clone()],
        )
        .unwrap();
        assert_eq!(hex_of(&ct), want);
        let dec = call(&mut rt, &a, "CreateDecryptor", &[]).unwrap();
        let pt = call(&mut rt, &dec, "TransformFinalBlock", &[ct, Value::Int(0), len.clone()]).unwrap();
        assert_eq!(hex_of(&pt), P1);
    }
    // The .NET 6 one-shots.
    let a = aes(&mut rt, K128, IV, 1, 2);
    let ct = call(
        &mut rt,
        &a,
        "EncryptCbc",
        &[hexv(P1), hexv(IV), Value::Enum(&symmetric::PADDING_MODE, 1)],
    )
    .unwrap();
    assert_eq!(
        hex_of(&ct),
        "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
    );
    let ct = call(
        &mut rt,
        &a,
        "EncryptEcb",
        &[hexv(P1), Value::Enum(&symmetric::PADDING_MODE, 1)],
    )
    .unwrap();
    assert_eq!(
        hex_of(&ct),
        "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
    );
}

#[test]
fn aes_padding_modes() {
    let mut rt = TestRt::new();
    // PKCS7 of a whole block adds a block of 0x10.
    let a = aes(&mut rt, K128, IV, 2, 2);
    let ct = call(
        &mut rt,
        &a,
        "EncryptEcb",
        &[hexv(&P1[..32]), Value::Enum(&symmetric::PADDING_MODE, 2)],
    )
    .unwrap();
    assert_eq!(Array::to_bytes(&ct).unwrap().len(), 32);
    let raw = call(
        &mut rt,
        &a,
        "DecryptEcb",
        &[ct, Value::Enum(&symmetric::PADDING_MODE, 1)],
    )
    .unwrap();
    assert_eq!(&hex_of(&raw)[32..], "10".repeat(16));
    for padding in 2..=5 {
        let a = aes(&mut rt, K256, IV, 1, padding);
        let enc = call(&mut rt, &a, "CreateEncryptor", &[]).unwrap();
        let msg = utf8("attack at dawn!!!");
        let ct = call(
            &mut rt,
            &enc,
            "TransformFinalBlock",
            &[msg, Value::Int(0), Value::Int(17)],
        )
        .unwrap();
        assert_eq!(Array::to_bytes(&ct).unwrap().len(), 32);
        let dec = call(&mut rt, &a, "CreateDecryptor", &[]).unwrap();
        let pt = call(
            &mut rt,
            &dec,
            "TransformFinalBlock",
            &[ct, Value::Int(0), Value::Int(32)],
        )
        .unwrap();
        let pt = Array::to_bytes(&pt).unwrap();
        if padding == 3 {
            // Zeros are not removed.
            assert_eq!(pt.len(), 32);
            assert!(pt.starts_with(b"attack at dawn!!!") && pt[17..].iter().all(|b| *b == 0));
        } else {
            assert_eq!(pt, b"attack at dawn!!!");
        }
    }
    // PaddingMode.None with a partial block, and bad padding on decryption.
    let a = aes(&mut rt, K128, IV, 1, 1);
    let enc = call(&mut rt, &a, "CreateEncryptor", &[]).unwrap();
    let e = call(
        &mut rt,
        &enc,
        "TransformFinalBlock",
        &[utf8("abc"), Value::Int(0), Value::Int(3)],
    )
    .unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Other("CryptographicException"));
    let b = aes(&mut rt, K256, IV, 1, 2);
    let e = call(&mut rt, &b, "DecryptCbc", &[hexv(P1), hexv(IV)]).unwrap_err();
    assert_eq!(e.message, "Padding is invalid and cannot be removed.");
    let e = call(&mut rt, &b, "DecryptCbc", &[utf8("abc"), hexv(IV)]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Other("CryptographicException"));
}

#[test]
fn aes_properties_and_errors() {
    let mut rt = TestRt::new();
    let a = stat(
        &mut rt,
        &symmetric::SYMMETRIC_ALGORITHM,
        "Create",
        &[Value::str("Rijndael")],
    )
    .unwrap();
    assert_eq!(get(&mut rt, &a, "KeySize").unwrap(), Value::Int(256));
    assert_eq!(get(&mut rt, &a, "BlockSize").unwrap(), Value::Int(128));
    assert_eq!(format!("{:?}", get(&mut rt, &a, "Mode").unwrap()), "CipherMode.CBC");
    assert_eq!(
        format!("{:?}", get(&mut rt, &a, "Padding").unwrap()),
        "PaddingMode.PKCS7"
    );
    assert_eq!(Array::to_bytes(&get(&mut rt, &a, "Key").unwrap()).unwrap().len(), 32);
    assert_eq!(Array::to_bytes(&get(&mut rt, &a, "IV").unwrap()).unwrap().len(), 16);
    set(&mut rt, &a, "KeySize", Value::Int(128)).unwrap();
    assert_eq!(Array::to_bytes(&get(&mut rt, &a, "Key").unwrap()).unwrap().len(), 16);
    let crypto = EvalErrorKind::Other("CryptographicException");
    assert_eq!(set(&mut rt, &a, "Key", utf8("short")).unwrap_err().kind, crypto);
    assert_eq!(set(&mut rt, &a, "IV", utf8("short")).unwrap_err().kind, crypto);
    assert_eq!(set(&mut rt, &a, "KeySize", Value::Int(100)).unwrap_err().kind, crypto);
    assert_eq!(
        set(&mut rt, &a, "Mode", Value::Enum(&symmetric::CIPHER_MODE, 3))
            .unwrap_err()
            .kind,
        crypto
    );
    let e = call(&mut rt, &a, "CreateEncryptor", &[utf8("short"), hexv(IV)]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Argument);
    assert_eq!(
        call(&mut rt, &a, "ValidKeySize", &[Value::Int(192)]).unwrap(),
        Value::Bool(true)
    );
    assert_eq!(
        call(&mut rt, &a, "GetCiphertextLengthCbc", &[Value::Int(17)]).unwrap(),
        Value::Int(32)
    );
    assert_eq!(
        stat(&mut rt, &symmetric::SYMMETRIC_ALGORITHM, "Create", &[Value::str("x")]).unwrap(),
        Value::Null
    );
    assert_eq!(
        stat(
            &mut rt,
            &symmetric::SYMMETRIC_ALGORITHM,
            "Create",
            &[Value::str("TripleDES")]
        )
        .unwrap_err()
        .kind,
        EvalErrorKind::NotSupported
    );
    assert!(stat(&mut rt, &symmetric::SYMMETRIC_ALGORITHM, "Create", &[]).is_err());
    call(&mut rt, &a, "Dispose", &[]).unwrap();
    assert!(call(&mut rt, &a, "GenerateKey", &[]).is_err());
}
