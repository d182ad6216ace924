//! Secrets the desk hands out: invitation links, session cookies and
//! challenge ids. Each is 32 random bytes; only its SHA-256 is kept where
//! it outlives a request, so a copy of the desk's state grants nothing.

use base64ct::{Base64UrlUnpadded, Encoding as _};
use sha2::{Digest as _, Sha256};

/// A fresh secret, base64url without padding (43 characters).
pub(crate) fn token() -> String {
    let mut bytes = [0u8; 32];
    // The operating system's generator; without it the desk cannot run
    // safely, and stops.
    getrandom::fill(&mut bytes).expect("the operating system's random number generator");
    Base64UrlUnpadded::encode_string(&bytes)
}

/// Random bytes, for WebAuthn challenges.
pub(crate) fn nonce() -> Vec<u8> {
    let mut bytes = vec![0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator");
    bytes
}

/// The SHA-256 of a secret, in hexadecimal: what is stored.
pub(crate) fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Base64url without padding, as WebAuthn writes its binary fields.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Reads base64url without padding; `None` for anything else.
pub(crate) fn from_b64url(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_fresh_and_only_their_digest_is_kept() {
        let (a, b) = (token(), token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(from_b64url(&a).map(|v| v.len()), Some(32));
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), digest(&b));
        assert_eq!(from_b64url("not base64url!"), None);
        assert_eq!(b64url(b"\xff\xfe"), "__4");
    }
}
