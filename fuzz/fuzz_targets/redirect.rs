//! The sign-in redirect check: `app::domain::redirect::safe_next` and
//! `is_local_path`.
//!
//! Properties: the result is the input when `is_local_path` accepts it, else
//! "/"; whatever is returned starts with '/', its second byte is not '/' or
//! '\', it holds only bytes 0x21..=0x7e other than '\', and fits
//! `MAX_NEXT_LEN`; `is_local_path` is exactly that rule; the result is a
//! valid `Location` header value; and a browser-conformant URL parser
//! resolving it against a page of the site stays on the site.
#![no_main]

use app::domain::redirect::{MAX_NEXT_LEN, is_local_path, safe_next};
use libfuzzer_sys::fuzz_target;

/// The rule, as the security issue states it.
fn allowed(p: &str) -> bool {
    let b = p.as_bytes();
    b.first() == Some(&b'/')
        && !matches!(b.get(1), Some(b'/' | b'\\'))
        && b.len() <= MAX_NEXT_LEN
        && b.iter().all(|&c| (0x21..=0x7e).contains(&c) && c != b'\\')
}

fn check_result(next: &str) {
    let b = next.as_bytes();
    assert_eq!(b.first(), Some(&b'/'), "{next:?}");
    assert!(!matches!(b.get(1), Some(b'/' | b'\\')), "{next:?}");
    assert!(b.iter().all(|&c| (0x21..=0x7e).contains(&c) && c != b'\\'), "{next:?}");
    assert!(b.len() <= MAX_NEXT_LEN);
    assert!(is_local_path(next), "safe_next returned what is_local_path refuses: {next:?}");
    assert!(http::HeaderValue::from_str(next).is_ok(), "not a header value: {next:?}");
    for base in ["https://checkoff.example/", "https://checkoff.example/programs/1/people?x=1#y"] {
        let base = url::Url::parse(base).unwrap();
        let target = base.join(next).unwrap_or_else(|e| panic!("{next:?} does not resolve: {e}"));
        assert_eq!(target.origin(), base.origin(), "{next:?} leaves the site: {target}");
        assert_eq!(target.host_str(), Some("checkoff.example"), "{next:?} -> {target}");
    }
}

fuzz_target!(|data: &[u8]| {
    assert_eq!(safe_next(None), "/");
    let Ok(s) = std::str::from_utf8(data) else { return };
    let local = is_local_path(s);
    assert_eq!(local, allowed(s), "is_local_path disagrees with the rule on {s:?}");
    let next = safe_next(Some(s));
    if local {
        assert_eq!(next, s);
    } else {
        assert_eq!(next, "/");
    }
    check_result(&next);
});
