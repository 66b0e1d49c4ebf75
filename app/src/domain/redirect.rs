//! Where a browser may be sent after signing in: a path on this site, never
//! another site. An open redirect would make our sign-in page a phishing
//! tool ("sign in at the real Checkoff, land on a look-alike").
//!
//! Browsers are lenient with what follows the first `/`: they drop tabs and
//! newlines anywhere in a URL, read `\` as `/`, and treat `//host` as another
//! origin. So the rule is an allow-list, not a list of known tricks: one
//! leading `/`, then only printable ASCII other than `\`, and the second
//! character must not start another slash. Everything else goes to `/`.
//! The result is always a valid HTTP header value (`Location`).

/// Longer `next` values are not paths anyone links to.
pub const MAX_NEXT_LEN: usize = 2048;

/// The path to redirect to after sign-in: `next` if it is a same-origin
/// path, else `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

/// True for `/`, `/a/b?c=d#e` and the like; false for anything a browser
/// could read as another origin, and for any control, space or non-ASCII
/// character.
pub fn is_local_path(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && path.len() <= MAX_NEXT_LEN
        && bytes.iter().all(|b| b.is_ascii_graphic() && *b != b'\\')
}

/// Where a browser goes once a password or link is accepted: to `next`
/// (made safe), or first to the code page when the second factor is
/// still owed, which then sends it on to `next`.
pub fn after_sign_in(next: Option<&str>, second_factor_needed: bool) -> String {
    let next = safe_next(next);
    if second_factor_needed { format!("/sign-in/code?next={}", percent_encode(&next)) } else { next }
}

/// Percent-encodes everything but unreserved characters and `/`: a path or
/// a value for a URL query.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_pass() {
        for good in
            ["/", "/programs/1/people", "/programs/1/students/2/evaluate/I.P.2.b?request=7", "/modules#top", "/%2F%2Fx"]
        {
            assert_eq!(safe_next(Some(good)), good, "{good:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn anything_a_browser_reads_as_another_origin_goes_home() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "",
            " /x",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/ /evil.example",
            "/\u{0}/evil.example",
            "/\u{7f}/evil.example",
            "/\u{b}/evil.example",
            "/x\\y",
            "/caf\u{e9}",
            "/\u{3000}/evil.example",
            "/\u{ff0f}/evil.example",
            "evil.example",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(MAX_NEXT_LEN)))), "/");
    }

    #[test]
    fn every_accepted_path_is_a_valid_location_header() {
        // The property the redirect relies on: no byte that `HeaderValue`
        // refuses (controls) and nothing before the first `/`.
        for b in 0u8..=255 {
            let candidate = format!("/a{}", b as char);
            if is_local_path(&candidate) {
                assert!((0x21..=0x7e).contains(&b), "{b:#x}");
            }
        }
    }

    #[test]
    fn after_sign_in_goes_to_next_or_to_the_code_page_first() {
        assert_eq!(after_sign_in(Some("/programs/1"), false), "/programs/1");
        assert_eq!(after_sign_in(Some("//evil.example"), false), "/");
        assert_eq!(after_sign_in(None, true), "/sign-in/code?next=/");
        assert_eq!(after_sign_in(Some("/a?b=c&d=e"), true), "/sign-in/code?next=/a%3Fb%3Dc%26d%3De");
    }
}
