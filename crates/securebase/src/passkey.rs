//! Passkeys as SSH signing keys.
//!
//! A WebAuthn P-256 credential is an OpenSSH `sk-ecdsa-sha2-nistp256@openssh.com`
//! key whose application string is the relying party's id (the rpId), and
//! an assertion it makes is an SSHSIG whose signature is of type
//! `webauthn-sk-ecdsa-sha2-nistp256@openssh.com` (OpenSSH's PROTOCOL.u2f and
//! PROTOCOL.sshsig): the WebAuthn challenge is the SSHSIG signed data of
//! the message, unhashed. `ssh-keygen -Y verify` (OpenSSH 8.4 and later)
//! accepts such a signature; RustCrypto's `ssh-key` does not parse it, so
//! this module reads and checks it with `p256` and `sha2`.
//!
//! Beyond OpenSSH's checks (the clientDataJSON prefix, the attested-data
//! flag clear, the extension flag matching the extensions, the ECDSA
//! signature), a [`PasskeySignature`] verifies only when its origin's host
//! is the key's application or a subdomain of it, and the authenticator saw
//! the user present; user verification when the signer's key asks for it.
//!
//! This module assembles signatures from an authenticator's answer
//! ([`armor`]) but never signs: it holds no private key.

use base64ct::{Base64, Base64UrlUnpadded, Encoding as _};
use p256::ecdsa::signature::Verifier as _;
use sha2::{Digest as _, Sha256};
use ssh_key::public::{KeyData, SkEcdsaSha2NistP256};

/// The OpenSSH key type of a passkey.
pub const KEY_TYPE: &str = "sk-ecdsa-sha2-nistp256@openssh.com";

/// The OpenSSH signature type of a passkey's assertion.
pub const SIGNATURE_TYPE: &str = "webauthn-sk-ecdsa-sha2-nistp256@openssh.com";

/// The hash SSHSIG signs a message's digest with (what `ssh-keygen -Y sign`
/// uses by default).
const HASH: &str = "sha512";

/// Authenticator-data flags (WebAuthn §6.1).
const USER_PRESENT: u8 = 0x01;
const USER_VERIFIED: u8 = 0x04;
const ATTESTED_DATA: u8 = 0x40;
const EXTENSION_DATA: u8 = 0x80;

/// Why a passkey signature is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PasskeyError {
    /// The bytes are not a webauthn SSHSIG.
    #[error("the passkey signature is malformed: {0}")]
    Malformed(&'static str),
    /// The key that signed is not a passkey (`sk-ecdsa-sha2-nistp256`).
    #[error("the signing key is not a passkey ({KEY_TYPE})")]
    NotAPasskey,
    /// clientDataJSON does not begin with the assertion of this message.
    #[error("the passkey's client data is not an assertion of this record (type, challenge or origin differ)")]
    ClientData,
    /// The origin is not the key's relying party or a subdomain of it.
    #[error("the passkey signed at {origin}, which is not {application} or a subdomain of it")]
    Origin {
        /// The origin the browser reported.
        origin: String,
        /// The key's application (the rpId).
        application: String,
    },
    /// The user-presence flag is clear.
    #[error("the passkey did not see the user present")]
    UserPresence,
    /// User verification was required and not done.
    #[error("the passkey did not verify the user (PIN or biometric), which this key requires")]
    UserVerification,
    /// The authenticator's flags contradict its data.
    #[error("the passkey's flags contradict its data")]
    Flags,
    /// The ECDSA signature does not match.
    #[error("the passkey's signature does not match")]
    Mismatch,
}

/// The authenticator's answer to one `navigator.credentials.get()`, as the
/// desk receives it from the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    /// `authenticatorData`: rpIdHash (32), flags (1), counter (4), extensions.
    pub authenticator_data: Vec<u8>,
    /// `clientDataJSON`, the exact bytes.
    pub client_data_json: Vec<u8>,
    /// The DER ECDSA signature.
    pub signature_der: Vec<u8>,
    /// The origin the page ran at (clientDataJSON's `origin`).
    pub origin: String,
}

/// A parsed passkey SSHSIG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeySignature {
    /// The signing key (always an `sk-ecdsa-sha2-nistp256` key).
    pub public_key: KeyData,
    /// The SSHSIG namespace.
    pub namespace: String,
    hash: String,
    r: Vec<u8>,
    s: Vec<u8>,
    flags: u8,
    counter: u32,
    origin: String,
    client_data_json: Vec<u8>,
    extensions: Vec<u8>,
}

/// The SSHSIG signed data of `message` in `namespace`: what a passkey signs
/// as its WebAuthn challenge (109 bytes for `securebase-review`).
pub fn challenge(namespace: &str, message: &[u8]) -> Vec<u8> {
    signed_data(namespace, HASH, &sha2::Sha512::digest(message))
}

/// The OpenSSH key line of a passkey: its P-256 point (SEC1, uncompressed,
/// 65 bytes), the relying party's id it was registered for, and a comment.
pub fn key_line(point: &[u8], rp_id: &str, comment: &str) -> Result<String, PasskeyError> {
    p256::PublicKey::from_sec1_bytes(point).map_err(|_| PasskeyError::Malformed("not a P-256 point"))?;
    let point = p256::EncodedPoint::from_bytes(point).map_err(|_| PasskeyError::Malformed("not a P-256 point"))?;
    let key = KeyData::SkEcdsaSha2NistP256(SkEcdsaSha2NistP256::new(point, rp_id.to_owned()));
    ssh_key::PublicKey::new(key, comment).to_openssh().map_err(|_| PasskeyError::Malformed("cannot encode the key"))
}

/// The P-256 point of a credential's public key as WebAuthn's
/// `getPublicKey()` gives it (SubjectPublicKeyInfo, DER).
pub fn point_of_spki(spki: &[u8]) -> Result<Vec<u8>, PasskeyError> {
    use p256::pkcs8::DecodePublicKey as _;
    let key = p256::PublicKey::from_public_key_der(spki).map_err(|_| PasskeyError::Malformed("not a P-256 key"))?;
    Ok(p256::EncodedPoint::from(key).as_bytes().to_vec())
}

/// The application (relying party id) of `key` when it is a passkey.
pub fn application(key: &crate::model::PublicKey) -> Option<&str> {
    match key.ssh().key_data() {
        KeyData::SkEcdsaSha2NistP256(sk) => Some(sk.application()),
        _ => None,
    }
}

/// The armored SSHSIG (`-----BEGIN SSH SIGNATURE-----`) of `assertion` by
/// `key` (a passkey) in `namespace`.
pub fn armor(key: &crate::model::PublicKey, namespace: &str, assertion: &Assertion) -> Result<String, PasskeyError> {
    let key = key.ssh();
    let KeyData::SkEcdsaSha2NistP256(_) = key.key_data() else { return Err(PasskeyError::NotAPasskey) };
    let data = &assertion.authenticator_data;
    if data.len() < 37 {
        return Err(PasskeyError::Malformed("authenticator data shorter than 37 bytes"));
    }
    let signature = p256::ecdsa::Signature::from_der(&assertion.signature_der)
        .map_err(|_| PasskeyError::Malformed("not a DER ECDSA signature"))?;
    let mut rs = Vec::new();
    for scalar in [signature.r().to_bytes(), signature.s().to_bytes()] {
        put_mpint(&mut rs, &scalar);
    }
    let mut inner = Vec::new();
    put_string(&mut inner, SIGNATURE_TYPE.as_bytes());
    put_string(&mut inner, &rs);
    inner.push(data[32]);
    inner.extend_from_slice(&data[33..37]);
    put_string(&mut inner, assertion.origin.as_bytes());
    put_string(&mut inner, &assertion.client_data_json);
    put_string(&mut inner, &data[37..]);
    let key_blob = key.to_bytes().map_err(|_| PasskeyError::Malformed("cannot encode the key"))?;
    let mut out = b"SSHSIG".to_vec();
    out.extend_from_slice(&1u32.to_be_bytes());
    for part in [key_blob.as_slice(), namespace.as_bytes(), b"", HASH.as_bytes(), &inner] {
        put_string(&mut out, part);
    }
    let encoded = Base64::encode_string(&out);
    let mut armored = String::from("-----BEGIN SSH SIGNATURE-----\n");
    for line in encoded.as_bytes().chunks(70) {
        armored.push_str(std::str::from_utf8(line).unwrap_or_default());
        armored.push('\n');
    }
    armored.push_str("-----END SSH SIGNATURE-----\n");
    Ok(armored)
}

impl PasskeySignature {
    /// Parses an armored SSHSIG, `None` when it is not a passkey's (its
    /// signature type is another), an error when it claims to be one and
    /// is malformed.
    pub fn parse(armored: &str) -> Option<Result<PasskeySignature, PasskeyError>> {
        let bytes = dearmor(armored)?;
        let mut reader = Wire(bytes.strip_prefix(b"SSHSIG")?);
        if reader.u32().ok()? != 1 {
            return None;
        }
        let key_blob = reader.string().ok()?;
        let namespace = String::from_utf8(reader.string().ok()?.to_vec()).ok()?;
        let _reserved = reader.string().ok()?;
        let hash = String::from_utf8(reader.string().ok()?.to_vec()).ok()?;
        let mut inner = Wire(reader.string().ok()?);
        if inner.string().ok()? != SIGNATURE_TYPE.as_bytes() {
            return None;
        }
        Some(Self::parse_rest(key_blob, namespace, hash, inner, reader.0))
    }

    fn parse_rest(
        key_blob: &[u8],
        namespace: String,
        hash: String,
        mut inner: Wire<'_>,
        outer: &[u8],
    ) -> Result<PasskeySignature, PasskeyError> {
        let bad = PasskeyError::Malformed;
        if !outer.is_empty() {
            return Err(bad("bytes after the signature"));
        }
        let public_key =
            ssh_key::PublicKey::from_bytes(key_blob).map_err(|_| bad("the key does not parse"))?.key_data().clone();
        if !matches!(public_key, KeyData::SkEcdsaSha2NistP256(_)) {
            return Err(PasskeyError::NotAPasskey);
        }
        if hash != "sha512" && hash != "sha256" {
            return Err(bad("the hash is neither sha512 nor sha256"));
        }
        let mut rs = Wire(inner.string()?);
        let (r, s) = (rs.mpint()?, rs.mpint()?);
        if !rs.0.is_empty() {
            return Err(bad("bytes after the ECDSA scalars"));
        }
        let flags = inner.byte()?;
        let counter = inner.u32()?;
        let origin = String::from_utf8(inner.string()?.to_vec()).map_err(|_| bad("the origin is not UTF-8"))?;
        let client_data_json = inner.string()?.to_vec();
        let extensions = inner.string()?.to_vec();
        if !inner.0.is_empty() {
            return Err(bad("bytes after the extensions"));
        }
        Ok(PasskeySignature { public_key, namespace, hash, r, s, flags, counter, origin, client_data_json, extensions })
    }

    /// The key's application (the relying party's id).
    pub fn application(&self) -> &str {
        match &self.public_key {
            KeyData::SkEcdsaSha2NistP256(key) => key.application(),
            _ => "",
        }
    }

    /// The origin the browser reported.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The authenticator's flags (user present 0x01, user verified 0x04).
    pub fn flags(&self) -> u8 {
        self.flags
    }

    /// Checks this signature over `message`, requiring user verification
    /// if `require_uv`. The caller checks the namespace and whose key it is.
    pub fn verify(&self, message: &[u8], require_uv: bool) -> Result<(), PasskeyError> {
        let KeyData::SkEcdsaSha2NistP256(key) = &self.public_key else { return Err(PasskeyError::NotAPasskey) };
        // OpenSSH's checks (ssh-ecdsa-sk.c, webauthn_check_prepare_hash).
        let signed = match self.hash.as_str() {
            "sha256" => signed_data(&self.namespace, "sha256", &Sha256::digest(message)),
            _ => signed_data(&self.namespace, "sha512", &sha2::Sha512::digest(message)),
        };
        if self.origin.contains('"') {
            return Err(PasskeyError::ClientData);
        }
        let prefix = format!(
            "{{\"type\":\"webauthn.get\",\"challenge\":\"{}\",\"origin\":\"{}\"",
            Base64UrlUnpadded::encode_string(&signed),
            self.origin
        );
        if !self.client_data_json.starts_with(prefix.as_bytes()) {
            return Err(PasskeyError::ClientData);
        }
        let extended = self.flags & EXTENSION_DATA != 0;
        if self.flags & ATTESTED_DATA != 0 || extended == self.extensions.is_empty() {
            return Err(PasskeyError::Flags);
        }
        // securebase's own.
        if !origin_belongs(&self.origin, key.application()) {
            return Err(PasskeyError::Origin {
                origin: self.origin.clone(),
                application: key.application().to_owned(),
            });
        }
        if self.flags & USER_PRESENT == 0 {
            return Err(PasskeyError::UserPresence);
        }
        if require_uv && self.flags & USER_VERIFIED == 0 {
            return Err(PasskeyError::UserVerification);
        }
        let mut data = Sha256::digest(key.application().as_bytes()).to_vec();
        data.push(self.flags);
        data.extend_from_slice(&self.counter.to_be_bytes());
        data.extend_from_slice(&self.extensions);
        data.extend_from_slice(&Sha256::digest(&self.client_data_json));
        let verifying = p256::ecdsa::VerifyingKey::from_sec1_bytes(key.ec_point().as_bytes())
            .map_err(|_| PasskeyError::Malformed("the key is not a P-256 point"))?;
        let (mut r, mut s) = ([0u8; 32], [0u8; 32]);
        r[32 - self.r.len()..].copy_from_slice(&self.r);
        s[32 - self.s.len()..].copy_from_slice(&self.s);
        let signature = p256::ecdsa::Signature::from_scalars(r, s)
            .map_err(|_| PasskeyError::Malformed("an ECDSA scalar is out of range"))?;
        verifying.verify(&data, &signature).map_err(|_| PasskeyError::Mismatch)
    }
}

/// SSHSIG's signed data over a digest already taken.
fn signed_data(namespace: &str, hash: &str, digest: &[u8]) -> Vec<u8> {
    let mut out = b"SSHSIG".to_vec();
    for part in [namespace.as_bytes(), b"", hash.as_bytes(), digest] {
        put_string(&mut out, part);
    }
    out
}

/// Whether `origin` (`scheme://host[:port]`) is at `application` or a
/// subdomain of it, over HTTPS (or HTTP on `localhost`, which browsers
/// count as a secure context).
fn origin_belongs(origin: &str, application: &str) -> bool {
    let (secure, rest) = match origin.split_once("://") {
        Some(("https", rest)) => (true, rest),
        Some(("http", rest)) => (false, rest),
        _ => return false,
    };
    let host = match rest.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        Some(_) => return false,
        None => rest,
    };
    if application.is_empty() || host.contains(['/', '@', '?', '#']) {
        return false;
    }
    let belongs = host == application || host.strip_suffix(application).is_some_and(|sub| sub.ends_with('.'));
    belongs && (secure || host == "localhost")
}

/// The bytes of an armored SSHSIG, `None` when it is not one.
fn dearmor(armored: &str) -> Option<Vec<u8>> {
    let body =
        armored.trim().strip_prefix("-----BEGIN SSH SIGNATURE-----")?.strip_suffix("-----END SSH SIGNATURE-----")?;
    let text: String = body.split_whitespace().collect();
    Base64::decode_vec(&text).ok()
}

/// A reader of SSH wire encoding.
struct Wire<'a>(&'a [u8]);

impl<'a> Wire<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], PasskeyError> {
        if self.0.len() < n {
            return Err(PasskeyError::Malformed("the signature ends early"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, PasskeyError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, PasskeyError> {
        let bytes = self.take(4)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn string(&mut self) -> Result<&'a [u8], PasskeyError> {
        let len = self.u32()? as usize;
        self.take(len)
    }

    /// A positive `mpint` of at most 32 bytes, without its sign byte.
    fn mpint(&mut self) -> Result<Vec<u8>, PasskeyError> {
        let bad = PasskeyError::Malformed;
        let bytes = self.string()?;
        let value = match bytes {
            [] => bytes,
            [0, rest @ ..] if rest.first().is_some_and(|b| b & 0x80 != 0) => rest,
            [0, ..] => return Err(bad("an ECDSA scalar with a needless zero byte")),
            [first, ..] if first & 0x80 != 0 => return Err(bad("a negative ECDSA scalar")),
            _ => bytes,
        };
        if value.len() > 32 {
            return Err(bad("an ECDSA scalar longer than 32 bytes"));
        }
        Ok(value.to_vec())
    }
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// An unsigned big-endian scalar as an SSH `mpint`.
fn put_mpint(out: &mut Vec<u8>, scalar: &[u8]) {
    let trimmed: &[u8] = {
        let start = scalar.iter().position(|&b| b != 0).unwrap_or(scalar.len());
        &scalar[start..]
    };
    let pad = trimmed.first().is_some_and(|b| b & 0x80 != 0);
    out.extend_from_slice(&((trimmed.len() + usize::from(pad)) as u32).to_be_bytes());
    if pad {
        out.push(0);
    }
    out.extend_from_slice(trimmed);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer as _;

    /// A fixed P-256 key, standing in for an authenticator.
    pub(crate) fn authenticator() -> p256::ecdsa::SigningKey {
        p256::ecdsa::SigningKey::from_bytes(&[7u8; 32].into()).unwrap()
    }

    /// The key line of [`authenticator`] for `rp_id`.
    pub(crate) fn passkey_line(rp_id: &str) -> String {
        let point = authenticator().verifying_key().to_encoded_point(false);
        key_line(point.as_bytes(), rp_id, "riley-example passkey (fictional)").unwrap()
    }

    /// What a browser would return for `challenge` at `origin`, signed by
    /// [`authenticator`] registered for `rp_id`.
    pub(crate) struct Browser<'a> {
        pub rp_id: &'a str,
        pub origin: &'a str,
        pub flags: u8,
        pub kind: &'a str,
        pub padded: bool,
        pub high_s: bool,
        /// The relying party whose id the authenticator hashes, when it is
        /// not the key's.
        pub signed_for: Option<&'a str>,
    }

    impl Browser<'_> {
        pub(crate) fn honest(origin: &str) -> Browser<'_> {
            Browser {
                rp_id: "localhost",
                origin,
                flags: USER_PRESENT | USER_VERIFIED,
                kind: "webauthn.get",
                padded: false,
                high_s: false,
                signed_for: None,
            }
        }

        pub(crate) fn sign(&self, message: &[u8]) -> String {
            let challenge = challenge(crate::trust::NAMESPACE, message);
            let encoded = if self.padded {
                base64ct::Base64Url::encode_string(&challenge)
            } else {
                Base64UrlUnpadded::encode_string(&challenge)
            };
            let client = format!(
                "{{\"type\":\"{}\",\"challenge\":\"{encoded}\",\"origin\":\"{}\",\"crossOrigin\":false}}",
                self.kind, self.origin
            );
            let mut data = Sha256::digest(self.signed_for.unwrap_or(self.rp_id).as_bytes()).to_vec();
            data.push(self.flags);
            data.extend_from_slice(&5u32.to_be_bytes());
            let mut signed = data.clone();
            signed.extend_from_slice(&Sha256::digest(client.as_bytes()));
            let signature: p256::ecdsa::Signature = authenticator().sign(&signed);
            let signature = if self.high_s {
                // The same signature with s replaced by n - s: as valid, and
                // what some authenticators send.
                let s = -*signature.s();
                p256::ecdsa::Signature::from_scalars(signature.r().to_bytes(), s.to_bytes()).unwrap()
            } else {
                signature
            };
            let assertion = Assertion {
                authenticator_data: data,
                client_data_json: client.into_bytes(),
                signature_der: signature.to_der().as_bytes().to_vec(),
                origin: self.origin.to_owned(),
            };
            let key: crate::model::PublicKey = passkey_line(self.rp_id).parse().unwrap();
            armor(&key, crate::trust::NAMESPACE, &assertion).unwrap()
        }
    }

    const MESSAGE: &[u8] = b"securebase-review-v1\nref: styles/avoidant\n";

    fn check(armored: &str, require_uv: bool) -> Result<(), PasskeyError> {
        PasskeySignature::parse(armored).expect("a passkey signature")?.verify(MESSAGE, require_uv)
    }

    #[test]
    fn an_honest_assertion_verifies_with_or_without_high_s() {
        for high_s in [false, true] {
            let browser = Browser { high_s, ..Browser::honest("http://localhost:8417") };
            assert_eq!(check(&browser.sign(MESSAGE), true), Ok(()), "high_s {high_s}");
        }
        let signature =
            PasskeySignature::parse(&Browser::honest("http://localhost:8417").sign(MESSAGE)).unwrap().unwrap();
        assert_eq!((signature.application(), signature.origin()), ("localhost", "http://localhost:8417"));
        assert_eq!(signature.verify(b"another statement", false), Err(PasskeyError::ClientData));
    }

    #[test]
    fn the_challenge_is_the_sshsig_signed_data() {
        let ours = challenge("securebase-review", MESSAGE);
        let theirs = ssh_key::SshSig::signed_data("securebase-review", ssh_key::HashAlg::Sha512, MESSAGE).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(ours.len(), 109);
    }

    #[test]
    fn the_origin_must_be_the_relying_party_or_a_subdomain_over_https() {
        for (origin, application, ok) in [
            ("https://review.example.org", "review.example.org", true),
            ("https://desk.review.example.org:8443", "review.example.org", true),
            ("http://localhost:1234", "localhost", true),
            ("http://review.example.org", "review.example.org", false),
            ("https://evilreview.example.org", "review.example.org", false),
            ("https://review.example.org.evil.example", "review.example.org", false),
            ("https://evil.example", "localhost", false),
            ("https://review.example.org:x", "review.example.org", false),
            ("https://user@review.example.org", "review.example.org", false),
            ("review.example.org", "review.example.org", false),
        ] {
            assert_eq!(origin_belongs(origin, application), ok, "{origin} for {application}");
        }
        let elsewhere = Browser::honest("https://evil.example");
        assert_eq!(
            check(&elsewhere.sign(MESSAGE), false),
            Err(PasskeyError::Origin { origin: "https://evil.example".into(), application: "localhost".into() })
        );
    }

    #[test]
    fn every_field_is_checked() {
        let honest = Browser::honest("http://localhost:8417");
        let refusals = [
            (
                Browser { flags: USER_VERIFIED, ..Browser::honest("http://localhost:8417") },
                false,
                PasskeyError::UserPresence,
            ),
            (
                Browser { flags: USER_PRESENT, ..Browser::honest("http://localhost:8417") },
                true,
                PasskeyError::UserVerification,
            ),
            (
                Browser { flags: USER_PRESENT | ATTESTED_DATA, ..Browser::honest("http://localhost:8417") },
                false,
                PasskeyError::Flags,
            ),
            (
                Browser { flags: USER_PRESENT | EXTENSION_DATA, ..Browser::honest("http://localhost:8417") },
                false,
                PasskeyError::Flags,
            ),
            (
                Browser { kind: "webauthn.create", ..Browser::honest("http://localhost:8417") },
                false,
                PasskeyError::ClientData,
            ),
            (Browser { padded: true, ..Browser::honest("http://localhost:8417") }, false, PasskeyError::ClientData),
            // The authenticator answered for another relying party.
            (
                Browser { signed_for: Some("example.org"), ..Browser::honest("http://localhost:8417") },
                false,
                PasskeyError::Mismatch,
            ),
            // Registered for another relying party than the page's.
            (
                Browser { rp_id: "localhost.evil", origin: "http://localhost:8417", ..Browser::honest("") },
                false,
                PasskeyError::Origin { origin: "http://localhost:8417".into(), application: "localhost.evil".into() },
            ),
        ];
        for (browser, uv, expected) in refusals {
            assert_eq!(check(&browser.sign(MESSAGE), uv), Err(expected.clone()), "{expected}");
        }
        assert_eq!(check(&Browser { flags: USER_PRESENT, ..honest }.sign(MESSAGE), false), Ok(()));
    }

    #[test]
    fn a_flipped_bit_anywhere_is_refused() {
        let armored = Browser::honest("http://localhost:8417").sign(MESSAGE);
        let bytes = dearmor(&armored).unwrap();
        let rearmor = |bytes: &[u8]| {
            format!("-----BEGIN SSH SIGNATURE-----\n{}\n-----END SSH SIGNATURE-----\n", Base64::encode_string(bytes))
        };
        assert_eq!(check(&rearmor(&bytes), true), Ok(()));
        let mut accepted = Vec::new();
        for i in 0..bytes.len() {
            for bit in [0x01u8, 0x80] {
                let mut flipped = bytes.clone();
                flipped[i] ^= bit;
                let verdict =
                    PasskeySignature::parse(&rearmor(&flipped)).map(|p| p.and_then(|p| p.verify(MESSAGE, true)));
                if matches!(verdict, Some(Ok(()))) {
                    accepted.push((i, bit));
                }
            }
        }
        assert_eq!(accepted, Vec::<(usize, u8)>::new(), "flips that still verify");
    }

    /// OpenSSH reads what [`armor`] writes: `ssh-keygen -Y verify` accepts
    /// a passkey's signature for the key line [`key_line`] wrote, and
    /// refuses it over another message.
    #[test]
    fn ssh_keygen_verifies_a_passkey_signature() {
        let dir = tempfile::TempDir::new().unwrap();
        let signers = dir.path().join("allowed_signers");
        std::fs::write(&signers, format!("riley-example {}\n", passkey_line("localhost"))).unwrap();
        let signature = dir.path().join("record.sig");
        std::fs::write(&signature, Browser::honest("http://localhost:8417").sign(MESSAGE)).unwrap();
        let verify = |message: &[u8]| {
            use std::io::Write as _;
            let mut child = std::process::Command::new("ssh-keygen")
                .args(["-Y", "verify", "-n", crate::trust::NAMESPACE, "-I", "riley-example", "-f"])
                .arg(&signers)
                .arg("-s")
                .arg(&signature)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("ssh-keygen (openssh-client) is installed");
            child.stdin.take().unwrap().write_all(message).unwrap();
            let out = child.wait_with_output().unwrap();
            (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
        };
        let (ok, said) = verify(MESSAGE);
        assert!(ok, "{said}");
        assert!(said.starts_with("Good \"securebase-review\" signature for riley-example with ECDSA-SK key"), "{said}");
        assert!(!verify(b"another statement").0);
    }

    #[test]
    fn another_signature_type_is_not_a_passkey_signature() {
        assert_eq!(PasskeySignature::parse("not armored"), None);
        let fixture = include_str!("../../../tests/fixtures/valid/content/reviews/styles/avoidant.yaml");
        let start = fixture.find("-----BEGIN").unwrap();
        let end = fixture.find("-----END SSH SIGNATURE-----").unwrap() + "-----END SSH SIGNATURE-----".len();
        let text: String = fixture[start..end].lines().map(str::trim).collect::<Vec<_>>().join("\n");
        assert_eq!(PasskeySignature::parse(&text), None, "an Ed25519 SSHSIG");
    }
}
