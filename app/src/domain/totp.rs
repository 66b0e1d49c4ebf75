//! Time-based one-time passwords (RFC 6238) for second-factor sign-in, built
//! on HOTP (RFC 4226): HMAC-SHA1, 6 digits, 30-second steps. These are the
//! parameters every common authenticator app assumes, so they are fixed
//! rather than configurable.
//!
//! Pure: the caller passes the time in and stores the last accepted step, so
//! a code can be refused if it is replayed.

use std::fmt;

use hmac::{Hmac, Mac};
use sha1::Sha1;
use thiserror::Error;

/// Seconds per time step (RFC 6238's default, and what apps assume).
pub const STEP_SECONDS: i64 = 30;
/// Digits in a code.
pub const DIGITS: usize = 6;
/// Steps either side of the current one that are still accepted, so a phone
/// clock a little off (or a code typed just as it rolls over) still works.
pub const DRIFT_STEPS: i64 = 1;

const MODULUS: u32 = 1_000_000;

type HmacSha1 = Hmac<Sha1>;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TotpError {
    #[error("the secret is empty")]
    Empty,
    #[error("the secret is not valid base32")]
    InvalidBase32,
}

/// The shared secret between the server and the user's authenticator app.
/// `Debug` does not print it, so it cannot leak into logs by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        TotpSecret(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The form users type into an authenticator app (and the `secret=` of
    /// the otpauth URI): RFC 4648 base32, uppercase, no padding.
    pub fn to_base32(&self) -> String {
        data_encoding::BASE32_NOPAD.encode(&self.0)
    }

    /// Parses a secret as a person might paste or type it: case and spaces
    /// (apps show it in groups of four) and trailing `=` padding are ignored.
    pub fn from_base32(text: &str) -> Result<Self, TotpError> {
        let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
        let cleaned = cleaned.trim_end_matches('=');
        if cleaned.is_empty() {
            return Err(TotpError::Empty);
        }
        let bytes = data_encoding::BASE32_NOPAD.decode(cleaned.as_bytes()).map_err(|_| TotpError::InvalidBase32)?;
        if bytes.is_empty() {
            return Err(TotpError::Empty);
        }
        Ok(TotpSecret(bytes))
    }

    /// The `otpauth://` URI that enrolment QR codes carry (Google's Key URI
    /// format). The issuer appears both in the label and as a parameter
    /// because apps differ in which one they read.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let issuer = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            account = percent_encode(account),
            secret = self.to_base32(),
        )
    }

    /// The code an authenticator app shows at `unix_seconds`.
    pub fn code_at(&self, unix_seconds: i64) -> String {
        format_code(hotp(&self.0, step_counter(time_step(unix_seconds))))
    }

    /// Checks a code typed by the user at `unix_seconds`. Accepts the current
    /// step and one either side; returns the step that matched, which the
    /// caller stores and passes back as `last_used_step` next time. Steps at
    /// or before `last_used_step` are refused, so a code (or an older one seen
    /// over someone's shoulder) cannot be used twice.
    pub fn verify(&self, code: &str, unix_seconds: i64, last_used_step: Option<i64>) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let current = time_step(unix_seconds);
        let mut matched = None;
        // Every candidate is computed and compared (no early return), and
        // later steps overwrite earlier ones: if two steps happened to share a
        // code, remembering the later one refuses more replays.
        for offset in -DRIFT_STEPS..=DRIFT_STEPS {
            let Some(step) = current.checked_add(offset) else {
                continue;
            };
            if last_used_step.is_some_and(|last| step <= last) {
                continue;
            }
            let expected = format_code(hotp(&self.0, step_counter(step)));
            if constant_time_eq(expected.as_bytes(), code.as_bytes()) {
                matched = Some(step);
            }
        }
        matched
    }
}

/// RFC 4226 HOTP: HMAC-SHA1 of the big-endian counter, dynamically
/// truncated to 31 bits, reduced to six decimal digits.
pub fn hotp(secret: &[u8], counter: u64) -> u32 {
    // HMAC is defined for keys of every length (long keys are hashed, short
    // ones padded), so `new_from_slice` cannot fail; it returns a `Result`
    // only because the `KeyInit` trait is shared with fixed-key ciphers.
    let mut mac = HmacSha1::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(&counter.to_be_bytes());
    let digest: [u8; 20] = mac.finalize().into_bytes().into();
    // Dynamic truncation: the low nibble of the last byte picks where to
    // read four bytes (offset <= 15, so they always fit in the 20-byte
    // digest), and the top bit is dropped so the value is the same signed or
    // unsigned.
    let offset = usize::from(digest[19] & 0x0f);
    let word = digest.iter().skip(offset).take(4).fold(0u32, |acc, &byte| (acc << 8) | u32::from(byte)) & 0x7fff_ffff;
    word % MODULUS
}

/// The RFC 6238 time step containing `unix_seconds`. Floors towards negative
/// infinity so that times before the epoch still map to one step each.
fn time_step(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The HOTP counter for a step. Steps before the epoch never occur in
/// practice; they wrap (two's complement) rather than panic.
fn step_counter(step: i64) -> u64 {
    step.cast_unsigned()
}

fn format_code(value: u32) -> String {
    format!("{value:0DIGITS$}")
}

/// Compares two byte strings in time that depends only on their lengths, so
/// response timing does not reveal how many leading digits were right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    diff == 0
}

/// Percent-encodes everything except RFC 3986 unreserved characters, byte by
/// byte over UTF-8, so issuer and account names can hold spaces, `:`, `@`
/// or accents without breaking the URI.
fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(RFC_SECRET.to_vec())
    }

    #[test]
    fn hotp_matches_rfc4226_appendix_d() {
        let expected = [755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489];
        for (counter, want) in expected.into_iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, counter as u64), want, "counter {counter}");
        }
    }

    #[test]
    fn totp_matches_rfc6238_sha1_vectors_truncated_to_six_digits() {
        let secret = rfc_secret();
        for (time, want) in [
            (59, "287082"),
            (1111111109, "081804"),
            (1111111111, "050471"),
            (1234567890, "005924"),
            (2000000000, "279037"),
        ] {
            assert_eq!(secret.code_at(time), want, "T = {time}");
        }
    }

    #[test]
    fn codes_are_zero_padded_to_six_digits() {
        let code = rfc_secret().code_at(1234567890);
        assert_eq!(code, "005924");
        assert_eq!(code.len(), 6);
    }

    #[test]
    fn code_is_constant_within_a_step_and_changes_across() {
        let secret = rfc_secret();
        assert_eq!(secret.code_at(30), secret.code_at(59));
        assert_ne!(secret.code_at(59), secret.code_at(60));
    }

    #[test]
    fn times_before_the_epoch_do_not_panic() {
        let secret = rfc_secret();
        assert_eq!(secret.code_at(-1).len(), 6);
        assert_eq!(secret.code_at(i64::MIN).len(), 6);
        assert_eq!(secret.code_at(i64::MAX).len(), 6);
        assert_eq!(time_step(-1), -1);
        assert_eq!(time_step(-30), -1);
        assert_eq!(time_step(-31), -2);
    }

    #[test]
    fn verify_accepts_the_current_code_and_returns_its_step() {
        let secret = rfc_secret();
        let now = 1111111111;
        let code = secret.code_at(now);
        assert_eq!(secret.verify(&code, now, None), Some(now / 30));
    }

    #[test]
    fn verify_accepts_one_step_of_drift_either_way() {
        let secret = rfc_secret();
        let now = 1_700_000_015; // mid-step
        let step = now / 30;
        let previous = secret.code_at(now - 30);
        let next = secret.code_at(now + 30);
        assert_eq!(secret.verify(&previous, now, None), Some(step - 1));
        assert_eq!(secret.verify(&next, now, None), Some(step + 1));
    }

    #[test]
    fn verify_refuses_codes_two_steps_away() {
        let secret = rfc_secret();
        let now = 1_700_000_015;
        let too_old = secret.code_at(now - 60);
        let too_new = secret.code_at(now + 60);
        // Guard against a coincidental collision with an accepted step.
        for offset in [-30, 0, 30] {
            assert_ne!(too_old, secret.code_at(now + offset));
            assert_ne!(too_new, secret.code_at(now + offset));
        }
        assert_eq!(secret.verify(&too_old, now, None), None);
        assert_eq!(secret.verify(&too_new, now, None), None);
    }

    #[test]
    fn verify_refuses_a_replayed_code() {
        let secret = rfc_secret();
        let now = 1_700_000_015;
        let code = secret.code_at(now);
        let step = secret.verify(&code, now, None).unwrap();
        // Same code again, same step or a few seconds later: refused.
        assert_eq!(secret.verify(&code, now, Some(step)), None);
        assert_eq!(secret.verify(&code, now + 10, Some(step)), None);
        // Once a step is used, older (but still in-window) codes are refused too.
        let previous = secret.code_at(now - 30);
        assert_eq!(secret.verify(&previous, now, Some(step)), None);
        // The next step's code is still accepted.
        let next = secret.code_at(now + 30);
        assert_eq!(secret.verify(&next, now + 30, Some(step)), Some(step + 1));
    }

    #[test]
    fn verify_allows_a_step_after_an_older_last_used_step() {
        let secret = rfc_secret();
        let now = 1_700_000_015;
        let step = now / 30;
        let code = secret.code_at(now);
        assert_eq!(secret.verify(&code, now, Some(step - 1)), Some(step));
        assert_eq!(secret.verify(&code, now, Some(step - 100)), Some(step));
    }

    #[test]
    fn verify_strips_spaces() {
        let secret = rfc_secret();
        let now = 1234567890;
        assert_eq!(secret.verify("005 924", now, None), Some(now / 30));
        assert_eq!(secret.verify(" 005924 ", now, None), Some(now / 30));
        assert_eq!(secret.verify("0 0 5 9 2 4", now, None), Some(now / 30));
    }

    #[test]
    fn verify_rejects_malformed_codes() {
        let secret = rfc_secret();
        let now = 1234567890;
        for bad in ["", "      ", "05924", "0005924", "00592a", "-05924", "+05924", "００５９２４", "5924"] {
            assert_eq!(secret.verify(bad, now, None), None, "{bad:?}");
        }
    }

    #[test]
    fn verify_rejects_a_wrong_code() {
        let secret = rfc_secret();
        let now = 1234567890;
        let right = secret.code_at(now);
        let wrong = if right == "000000" { "000001" } else { "000000" };
        assert_eq!(secret.verify(wrong, now, None), None);
    }

    #[test]
    fn verify_at_extreme_times_does_not_panic() {
        let secret = rfc_secret();
        let code = secret.code_at(i64::MAX);
        assert_eq!(secret.verify(&code, i64::MAX, None), Some(i64::MAX / 30));
        let code = secret.code_at(i64::MIN);
        assert!(secret.verify(&code, i64::MIN, Some(i64::MAX)).is_none());
        assert!(secret.verify(&code, i64::MIN, None).is_some());
    }

    #[test]
    fn base32_round_trip() {
        let secret = rfc_secret();
        let text = secret.to_base32();
        assert_eq!(text, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(TotpSecret::from_base32(&text).unwrap(), secret);

        let odd = TotpSecret::from_bytes(vec![0xff, 0x00, 0x7a]);
        let text = odd.to_base32();
        assert!(!text.contains('='));
        assert_eq!(TotpSecret::from_base32(&text).unwrap().as_bytes(), &[0xff, 0x00, 0x7a]);
    }

    #[test]
    fn base32_accepts_lowercase_spaces_and_padding() {
        let want = rfc_secret();
        for text in [
            "gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
            " gezd gnbv gy3t qojq gezd gnbv gy3t qojq ",
        ] {
            assert_eq!(TotpSecret::from_base32(text).unwrap(), want, "{text:?}");
        }
        assert_eq!(TotpSecret::from_base32("74AHU===").unwrap().as_bytes(), &[0xff, 0x00, 0x7a]);
    }

    #[test]
    fn base32_rejects_empty_and_invalid() {
        assert_eq!(TotpSecret::from_base32(""), Err(TotpError::Empty));
        assert_eq!(TotpSecret::from_base32("   "), Err(TotpError::Empty));
        assert_eq!(TotpSecret::from_base32("===="), Err(TotpError::Empty));
        for bad in ["GEZDGNB1", "GEZD-GNBV", "GEZDGNBVG!", "A", "GEZ", "ÄÖÜ"] {
            assert_eq!(TotpSecret::from_base32(bad), Err(TotpError::InvalidBase32), "{bad:?}");
        }
    }

    #[test]
    fn otpauth_uri_has_the_expected_shape() {
        let uri = rfc_secret().otpauth_uri("Checkoff", "student@example.edu");
        assert_eq!(
            uri,
            "otpauth://totp/Checkoff:student%40example.edu?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Checkoff&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn otpauth_uri_percent_encodes_issuer_and_account() {
        let uri = rfc_secret().otpauth_uri("Checkoff: MA Program", "José Ñ&x=1");
        assert!(uri.starts_with("otpauth://totp/Checkoff%3A%20MA%20Program:Jos%C3%A9%20%C3%91%26x%3D1?"), "{uri}");
        assert!(uri.contains("&issuer=Checkoff%3A%20MA%20Program&"), "{uri}");
    }

    #[test]
    fn percent_encode_passes_unreserved_characters_through() {
        assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(percent_encode("a b/c?d#e%"), "a%20b%2Fc%3Fd%23e%25");
        assert_eq!(percent_encode(""), "");
    }

    #[test]
    fn constant_time_eq_compares_bytes() {
        assert!(constant_time_eq(b"123456", b"123456"));
        assert!(!constant_time_eq(b"123456", b"123457"));
        assert!(!constant_time_eq(b"123456", b"12345"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn debug_does_not_print_the_secret() {
        let shown = format!("{:?}", rfc_secret());
        assert_eq!(shown, "TotpSecret(..)");
    }

    #[test]
    fn works_with_keys_of_unusual_lengths() {
        // Empty and longer-than-block-size keys are valid HMAC keys.
        assert!(hotp(&[], 0) < MODULUS);
        assert!(hotp(&[7u8; 200], 0) < MODULUS);
    }
}
