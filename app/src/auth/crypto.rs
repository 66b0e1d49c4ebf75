//! Passwords (argon2id) and random secrets (session ids, link tokens,
//! recovery codes). Secrets are stored only as SHA-256 hashes: they are
//! 256-bit random values, so a fast hash is enough, and a leaked database
//! hands out no working session or link.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the operating system's random source failed: {0}")]
    Random(String),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// OWASP's recommended argon2id setting (Password Storage Cheat Sheet):
/// 19 MiB of memory, 2 iterations, 1 lane.
fn hasher() -> Argon2<'static> {
    // The parameters are constants within argon2's limits; `Params::new` only
    // fails outside them, so the default (the same values) is the fallback.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn random_bytes<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| CryptoError::Random(e.to_string()))?;
    Ok(buf)
}

/// A new 256-bit secret, as 64 hex characters (safe in cookies and URLs).
pub fn new_secret() -> Result<String, CryptoError> {
    Ok(hex::encode(random_bytes::<32>()?))
}

/// What is stored for a secret.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String, CryptoError> {
    let salt_bytes = random_bytes::<16>()?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| CryptoError::Hash(e.to_string()))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CryptoError::Hash(e.to_string()))
}

/// True when `password` matches `stored`. A malformed stored hash is a
/// mismatch (and logged), never a panic.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "stored password hash is malformed");
            false
        }
    }
}

/// Spends the same time as a real check when the account does not exist or
/// has no password, so response times do not reveal which e-mails have accounts.
pub fn burn_password_check(password: &str) {
    static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if let Some(hash) = DUMMY.get_or_init(|| hash_password("not-a-real-password").ok()) {
        let _ = verify_password(password, hash);
    }
}

/// A recovery code: 10 characters from an alphabet without look-alikes,
/// shown as two groups of five (`7KQ4M-XW2PD`).
pub fn new_recovery_code() -> Result<String, CryptoError> {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let bytes = random_bytes::<10>()?;
    let mut code = String::with_capacity(11);
    for (i, b) in bytes.iter().enumerate() {
        if i == 5 {
            code.push('-');
        }
        // 32 symbols: the low five bits are uniform.
        code.push(char::from(ALPHABET[usize::from(b & 31)]));
    }
    Ok(code)
}

/// Recovery codes are compared after removing what people add or change
/// when typing them: spaces, dashes, case.
pub fn normalize_recovery_code(input: &str) -> String {
    input.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_hashes_are_salted_argon2id() {
        let h1 = hash_password("correct horse battery").unwrap();
        let h2 = hash_password("correct horse battery").unwrap();
        assert_ne!(h1, h2, "salted");
        assert!(h1.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h1}");
        assert!(verify_password("correct horse battery", &h1));
        assert!(!verify_password("correct horse batterY", &h1));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn secrets_are_long_random_and_hash_stably() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(hash_secret(&a), hash_secret(&a));
        assert_ne!(hash_secret(&a), a);
    }

    #[test]
    fn recovery_codes_normalise() {
        let c = new_recovery_code().unwrap();
        assert_eq!(c.len(), 11);
        assert_eq!(normalize_recovery_code(&c.to_lowercase().replace('-', " ")), c.replace('-', ""));
    }
}
