//! One AES encryption or decryption: .NET's padding modes applied here,
//! blocks from the `aes` and `cbc` crates (CBC with an IV, else ECB).

use aes::cipher::consts::U16;
use aes::cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, BlockSizeUser, KeyInit, KeyIvInit,
};

use super::algorithm::{bad_key_size, valid_key_bits};
use super::*;
use crate::library::crypto::{crypto_error, random_bytes};

/// The parameters of one encryption or decryption.
#[derive(Debug, Clone)]
pub struct Params {
    pub key: Vec<u8>,
    /// `None` for ECB.
    pub iv: Option<Vec<u8>>,
    pub mode: i64,
    pub padding: i64,
}
/// `GetCiphertextLength*`: the length after padding.
pub(super) fn ciphertext_len(len: i32, padding: i64) -> EvalResult<i32> {
    if len < 0 {
        return Err(EvalError::new(
            EvalErrorKind::ArgumentOutOfRange,
            "Non-negative number required. (Parameter 'plaintextLength')",
        ));
    }
    let whole = len - len % BLOCK as i32;
    let r = match padding {
        PAD_NONE if len % BLOCK as i32 != 0 => {
            return Err(EvalError::argument(
                "The input data is not a complete block. (Parameter 'plaintextLength')",
            ))
        }
        PAD_NONE => len,
        ZEROS if len % BLOCK as i32 == 0 => len,
        _ => whole
            .checked_add(BLOCK as i32)
            .ok_or_else(|| EvalError::new(EvalErrorKind::ArgumentOutOfRange, "plaintextLength is too large"))?,
    };
    Ok(r)
}

/// .NET's checks of `CreateEncryptor(key, iv)`'s arguments.
pub(super) fn check_explicit(p: &Params) -> EvalResult<()> {
    if !valid_key_bits(p.key.len() as i64 * 8) {
        return Err(EvalError::argument(
            "Specified key is not a valid size for this algorithm. (Parameter 'rgbKey')",
        ));
    }
    if p.iv.as_ref().is_some_and(|iv| iv.len() != BLOCK) {
        return Err(EvalError::argument(
            "Specified initialization vector (IV) does not match the block size for this algorithm. \
             (Parameter 'rgbIV')",
        ));
    }
    Ok(())
}

/// One encryption or decryption of `data`.
pub fn run(rt: &mut dyn Runtime<'_>, p: &Params, data: &[u8], encrypt: bool) -> EvalResult<Vec<u8>> {
    match p.mode {
        CBC | ECB => {}
        CFB => {
            return Err(EvalError::new(
                EvalErrorKind::NotSupported,
                "CipherMode.CFB is not implemented by Outpost (CBC and ECB are)",
            ))
        }
        _ => return Err(crypto_error("Specified cipher mode is not valid for this algorithm.")),
    }
    crate::library::crypto::charge_bytes(rt, data.len() + BLOCK)?;
    let iv = if p.mode == CBC {
        match &p.iv {
            Some(iv) if iv.len() == BLOCK => Some(iv.as_slice()),
            Some(_) => {
                return Err(crypto_error(
                    "Specified initialization vector (IV) does not match the block size for this algorithm.",
                ))
            }
            None => {
                return Err(crypto_error(
                    "The cipher mode specified requires that an initialization vector (IV) be used.",
                ))
            }
        }
    } else {
        None
    };
    if encrypt {
        let mut buf = pad(rt, data, p.padding)?;
        blocks(&p.key, iv, &mut buf, true)?;
        Ok(buf)
    } else {
        if !data.len().is_multiple_of(BLOCK) {
            return Err(crypto_error("The input data is not a complete block."));
        }
        let mut buf = data.to_vec();
        blocks(&p.key, iv, &mut buf, false)?;
        unpad(buf, p.padding)
    }
}

/// Pads `data` to whole blocks as .NET's `PaddingMode` says.
fn pad(rt: &mut dyn Runtime<'_>, data: &[u8], padding: i64) -> EvalResult<Vec<u8>> {
    let rem = data.len() % BLOCK;
    let n = BLOCK - rem;
    let mut buf = Vec::with_capacity(data.len() + BLOCK);
    buf.extend_from_slice(data);
    match padding {
        PAD_NONE if rem != 0 => return Err(crypto_error("The input data is not a complete block.")),
        PAD_NONE => {}
        ZEROS if rem == 0 => {}
        ZEROS => buf.resize(data.len() + n, 0),
        PKCS7 => buf.resize(data.len() + n, n as u8),
        ANSIX923 => {
            buf.resize(data.len() + n - 1, 0);
            buf.push(n as u8);
        }
        ISO10126 => {
            buf.extend_from_slice(&random_bytes(rt, n - 1));
            buf.push(n as u8);
        }
        _ => return Err(crypto_error("Specified padding mode is not valid for this algorithm.")),
    }
    Ok(buf)
}

/// Removes the padding of decrypted `buf`.
fn unpad(mut buf: Vec<u8>, padding: i64) -> EvalResult<Vec<u8>> {
    let bad = || crypto_error("Padding is invalid and cannot be removed.");
    match padding {
        PAD_NONE | ZEROS => return Ok(buf),
        PKCS7 | ANSIX923 | ISO10126 => {}
        _ => return Err(crypto_error("Specified padding mode is not valid for this algorithm.")),
    }
    let n = usize::from(*buf.last().ok_or_else(bad)?);
    if n == 0 || n > BLOCK || n > buf.len() {
        return Err(bad());
    }
    let body = buf.len() - n;
    let fill = buf.get(body..buf.len() - 1).unwrap_or_default();
    let ok = match padding {
        PKCS7 => fill.iter().all(|b| usize::from(*b) == n),
        ANSIX923 => fill.iter().all(|b| *b == 0),
        _ => true,
    };
    if !ok {
        return Err(bad());
    }
    buf.truncate(body);
    Ok(buf)
}

/// AES over whole blocks of `buf`, in place: CBC with `iv`, else ECB.
fn blocks(key: &[u8], iv: Option<&[u8]>, buf: &mut [u8], encrypt: bool) -> EvalResult<()> {
    match key.len() {
        16 => blocks_with::<aes::Aes128>(key, iv, buf, encrypt),
        24 => blocks_with::<aes::Aes192>(key, iv, buf, encrypt),
        32 => blocks_with::<aes::Aes256>(key, iv, buf, encrypt),
        _ => Err(bad_key_size()),
    }
}

fn blocks_with<C>(key: &[u8], iv: Option<&[u8]>, buf: &mut [u8], encrypt: bool) -> EvalResult<()>
where
    C: KeyInit + BlockCipherEncrypt + BlockCipherDecrypt + BlockSizeUser<BlockSize = U16>,
{
    let mut block = aes::Block::default();
    match iv {
        None => {
            let c = C::new_from_slice(key).map_err(|_| bad_key_size())?;
            for chunk in buf.chunks_exact_mut(BLOCK) {
                block.copy_from_slice(chunk);
                if encrypt {
                    c.encrypt_block(&mut block);
                } else {
                    c.decrypt_block(&mut block);
                }
                chunk.copy_from_slice(&block);
            }
        }
        Some(iv) if encrypt => {
            let mut c = cbc::Encryptor::<C>::new_from_slices(key, iv).map_err(|_| bad_key_size())?;
            for chunk in buf.chunks_exact_mut(BLOCK) {
                block.copy_from_slice(chunk);
                c.encrypt_block(&mut block);
                chunk.copy_from_slice(&block);
            }
        }
        Some(iv) => {
            let mut c = cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| bad_key_size())?;
            for chunk in buf.chunks_exact_mut(BLOCK) {
                block.copy_from_slice(chunk);
                c.decrypt_block(&mut block);
                chunk.copy_from_slice(&block);
            }
        }
    }
    Ok(())
}
