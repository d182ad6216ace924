//! Trust: what makes a ledger record an approval.
//!
//! A record counts only when it carries an SSH signature, by a key the
//! signer is entitled to use on the record's date, over the record's
//! canonical [`statement`]. The statement names the subject, the file, the
//! blob and its SHA-256, the decision, the signer, the date, the summary or
//! notes, and the SHA-256 of the previous record's statement, so a record
//! cannot be edited, moved to another ledger, reordered or dropped from the
//! middle without its signature, or the next one's, failing.
//!
//! Who is entitled depends on the edition: the working tree trusts the keys
//! its people files list (so the first approvals of a project can be made),
//! the production edition trusts a deployment's [`TrustRoot`] for editors
//! and only the editor-approved people files for clinical reviewers.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic, Diagnostics, Position, path_text};
use crate::layout::ProjectLayout;
use crate::model::*;

/// The SSH signature namespace of review records (`ssh-keygen -Y sign -n`).
pub const NAMESPACE: &str = "securebase-review";

/// The first line of every statement: the format and its version.
pub const STATEMENT_FORMAT: &str = "securebase-review-v1";

/// The canonical statement a record's signature covers: `previous` is the
/// SHA-256 of the previous record's statement in the same ledger (`None` for
/// the first record). The layout is documented in README.md ("Signed
/// records"), so that a record can be checked with `ssh-keygen -Y verify`.
pub fn statement(subject: &Subject, file: &str, record: &LedgerRecord, previous: Option<&Sha256>) -> String {
    let (label, text) = match record.decision {
        Decision::Approved => ("summary", record.summary.as_deref()),
        Decision::ChangesRequested => ("notes", record.notes.as_deref()),
    };
    let decision = match record.decision {
        Decision::Approved => "approved",
        Decision::ChangesRequested => "changes_requested",
    };
    let mut out = String::with_capacity(320);
    let _ = write!(
        out,
        "{STATEMENT_FORMAT}\nref: {subject}\npath: {file}\nblob: {}\nsha256: {}\ndecision: {decision}\nreviewer: {}\ndate: {}\n{label}: ",
        record.blob,
        record.sha256.as_ref().map_or("none", Sha256::as_str),
        record.reviewer,
        record.date,
    );
    escape_into(&mut out, text.unwrap_or_default().trim());
    let _ = writeln!(out, "\nprevious: {}", previous.map_or("none", Sha256::as_str));
    out
}

/// Writes `text` on one line: `\` as `\\`, line feed as `\n`, carriage
/// return as `\r`.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// The file a subject's statement names: the item's or person's file,
/// `site.toml`, or `theme` for the theme (whose blob is its listing's).
pub fn statement_path(subject: &Subject) -> String {
    match subject {
        Subject::Item(item) => path_text(&ProjectLayout::item(item)),
        Subject::Person(id) => path_text(&ProjectLayout::person(id)),
        Subject::Site => ProjectLayout::SITE_TOML.to_owned(),
        Subject::Theme => "theme".to_owned(),
    }
}

/// The listing a theme version's blob and SHA-256 are taken over: one line
/// per file, sorted by path, `<blob> <sha256> <path>`.
pub fn theme_listing(files: &[ThemeFile]) -> String {
    let mut sorted: Vec<&ThemeFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    sorted.iter().map(|f| format!("{} {} {}\n", f.blob, f.sha256, f.path)).collect()
}

#[cfg(feature = "project")]
/// The theme `name` as the project at `root` holds it: every file
/// [`ProjectLayout::theme_files`] lists, with its blob and SHA-256, as
/// `review approve theme` lists it (its [`theme_listing`] is the theme's
/// version).
pub fn working_theme(root: &Path, name: &str) -> Result<Vec<ThemeFile>, crate::layout::ThemeFilesError> {
    let mut files = Vec::new();
    for (path, file) in ProjectLayout::theme_files(root, name)? {
        let bytes = std::fs::read(&file)
            .map_err(|source| crate::layout::ThemeFilesError::Io { path: PathBuf::from(&path), source })?;
        files.push(ThemeFile { path, blob: BlobId::of(&bytes), sha256: Sha256::of(&bytes) });
    }
    Ok(files)
}

/// Why a theme record's file list is not the one its signature covers, if
/// it is not: the signature covers the record's blob and SHA-256, which are
/// those of the list's [`theme_listing`], and every path must be plain.
/// Production, the working tree's checks and a bundle's all ask this.
pub fn theme_refusal(record: &LedgerRecord) -> Option<String> {
    if let Some(file) = record.files.iter().find(|f| !crate::relpath::is_plain(&f.path)) {
        return Some(format!("the theme file `{}` is not a plain path inside the project", file.path));
    }
    let listing = theme_listing(&record.files);
    let digest = Sha256::of(listing.as_bytes());
    if BlobId::of(listing.as_bytes()) != record.blob || record.sha256.as_ref() != Some(&digest) {
        return Some("the theme record's files do not match its blob and sha256".to_owned());
    }
    None
}

/// Why a record is not an approval.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The record has no `signature`.
    #[error("the record is not signed")]
    Unsigned,
    /// The record has no `sha256`.
    #[error("the record has no sha256 of the reviewed bytes")]
    NoDigest,
    /// The `signature` is not an armored SSH signature.
    #[error("the signature is not an SSH signature (`-----BEGIN SSH SIGNATURE-----` ...)")]
    Malformed,
    /// Signed for another purpose.
    #[error("the signature is in the namespace `{0}`, not `{NAMESPACE}`")]
    Namespace(String),
    /// The signing key is not one the signer may use.
    #[error("it is signed with key {fingerprint}, which is not one of {signer}'s keys {found_in}")]
    UnknownKey {
        /// The key that signed.
        fingerprint: String,
        /// Who the record names.
        signer: PersonId,
        /// Where their keys were looked up.
        found_in: &'static str,
    },
    /// The key may not sign on the record's date.
    #[error("key {fingerprint} may sign only {window}, and the record is dated {date}")]
    OutsideValidity {
        /// The key.
        fingerprint: String,
        /// Its validity, in words.
        window: String,
        /// The record's date.
        date: Date,
    },
    /// The signature does not match the statement: the record was changed
    /// after signing, moved, or a record before it changed or went missing.
    #[error(
        "the signature does not match the record: it was changed after signing, copied from another ledger, or a record before it was changed, reordered or removed"
    )]
    Mismatch,
    /// A passkey's signature fails one of the checks securebase adds to
    /// OpenSSH's (origin, user presence, user verification, flags).
    #[error("{0}")]
    Passkey(crate::passkey::PasskeyError),
}

/// Checks `record`'s signature over `statement` against `keys` (the keys
/// the signer may use, and where they were found, for the message).
pub fn check_signature<'k>(
    statement: &str,
    record: &LedgerRecord,
    keys: impl IntoIterator<Item = &'k SigningKey>,
    source: &'static str,
) -> Result<(), Refusal> {
    let (signature, key) = authorised_key(record, keys, source)?;
    match signature {
        Signed::Ssh(signature) => {
            key.key.ssh().verify(NAMESPACE, statement.as_bytes(), &signature).map_err(|_| Refusal::Mismatch)
        }
        Signed::Passkey(signature) => {
            signature.verify(statement.as_bytes(), key.verify_required).map_err(|e| match e {
                crate::passkey::PasskeyError::Mismatch | crate::passkey::PasskeyError::ClientData => Refusal::Mismatch,
                other => Refusal::Passkey(other),
            })
        }
    }
}

/// A record's signature: one `ssh-key` reads, or a passkey's, which it
/// does not.
enum Signed {
    Ssh(ssh_key::SshSig),
    Passkey(crate::passkey::PasskeySignature),
}

impl Signed {
    fn parse(armored: &str) -> Result<Signed, Refusal> {
        match crate::passkey::PasskeySignature::parse(armored) {
            Some(Ok(signature)) => Ok(Signed::Passkey(signature)),
            Some(Err(_)) => Err(Refusal::Malformed),
            None => ssh_key::SshSig::from_pem(armored.trim()).map(Signed::Ssh).map_err(|_| Refusal::Malformed),
        }
    }

    fn namespace(&self) -> &str {
        match self {
            Signed::Ssh(s) => s.namespace(),
            Signed::Passkey(s) => &s.namespace,
        }
    }

    fn public_key(&self) -> &ssh_key::public::KeyData {
        match self {
            Signed::Ssh(s) => s.public_key(),
            Signed::Passkey(s) => &s.public_key,
        }
    }

    /// The authenticator's flags, for a hardware key's or a passkey's
    /// signature (both sign them): `None` for a key held in software.
    fn flags(&self) -> Option<u8> {
        match self {
            Signed::Passkey(s) => Some(s.flags()),
            Signed::Ssh(s) => {
                let signature = s.signature();
                let hardware = matches!(
                    signature.algorithm(),
                    ssh_key::Algorithm::SkEcdsaSha2NistP256 | ssh_key::Algorithm::SkEd25519
                );
                // ssh-key keeps the flags and the counter after the signature.
                let data = signature.as_bytes();
                hardware.then(|| data.len().checked_sub(5).map(|at| data[at])).flatten()
            }
        }
    }
}

/// Everything [`check_signature`] checks but the signature's mathematics:
/// that the record is signed, in the namespace, by one of `keys` that may
/// sign on its date. Returns the signature and that key.
fn authorised_key<'k>(
    record: &LedgerRecord,
    keys: impl IntoIterator<Item = &'k SigningKey>,
    source: &'static str,
) -> Result<(Signed, &'k SigningKey), Refusal> {
    let armored = record.signature.as_deref().ok_or(Refusal::Unsigned)?;
    if record.sha256.is_none() {
        return Err(Refusal::NoDigest);
    }
    let signature = Signed::parse(armored)?;
    if signature.namespace() != NAMESPACE {
        return Err(Refusal::Namespace(signature.namespace().to_owned()));
    }
    // The fingerprint is worked out only for a message.
    let fingerprint = || signature.public_key().fingerprint(ssh_key::HashAlg::Sha256).to_string();
    let key = keys.into_iter().find(|k| k.key.ssh().key_data() == signature.public_key()).ok_or_else(|| {
        Refusal::UnknownKey { fingerprint: fingerprint(), signer: record.reviewer.clone(), found_in: source }
    })?;
    if !key.valid_on(record.date) {
        let window = match (key.valid_after, key.valid_before) {
            (Some(a), Some(b)) => format!("from {a} until before {b}"),
            (Some(a), None) => format!("from {a}"),
            (None, Some(b)) => format!("before {b}"),
            (None, None) => "always".to_owned(),
        };
        return Err(Refusal::OutsideValidity { fingerprint: fingerprint(), window, date: record.date });
    }
    // What the authenticator says it checked counts as the key's entry
    // (the trust root's, or the approved people file's) asks, whether or
    // not the signature's mathematics is done here.
    if let Some(flags) = signature.flags() {
        if flags & 0x01 == 0 {
            return Err(Refusal::Passkey(crate::passkey::PasskeyError::UserPresence));
        }
        if key.verify_required && flags & 0x04 == 0 {
            return Err(Refusal::Passkey(crate::passkey::PasskeyError::UserVerification));
        }
    }
    Ok((signature, key))
}

/// Whether [`check_ledger`] does the signatures' mathematics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mathematics {
    /// Verify each signature over its statement.
    Verify,
    /// The same records, byte for byte, were verified already (the
    /// production edition reuses the working tree's ledgers, whose
    /// signatures loading verified): check only who signed, and when.
    AlreadyVerified,
}

/// The fingerprint of the key that signed `record`, if it is signed (whether
/// or not the signature verifies).
pub fn signer_fingerprint(record: &LedgerRecord) -> Option<String> {
    let signature = Signed::parse(record.signature.as_deref()?).ok()?;
    Some(signature.public_key().fingerprint(ssh_key::HashAlg::Sha256).to_string())
}

/// Checks every record of one ledger in order, chaining the statements.
/// `keys` gives the keys the signer of a record may use (and where they
/// were found); each refusal comes back with the record's index.
pub fn check_ledger<'k>(
    subject: &Subject,
    records: &[LedgerRecord],
    keys: &dyn Fn(&LedgerRecord) -> (Vec<&'k SigningKey>, &'static str),
    mathematics: Mathematics,
) -> Vec<(usize, Refusal)> {
    let file = statement_path(subject);
    let mut previous: Option<Sha256> = None;
    let mut refusals = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let (allowed, source) = keys(record);
        let checked = match mathematics {
            Mathematics::Verify => {
                let text = statement(subject, &file, record, previous.as_ref());
                previous = Some(Sha256::of(text.as_bytes()));
                check_signature(&text, record, allowed, source)
            }
            Mathematics::AlreadyVerified => authorised_key(record, allowed, source).map(|_| ()),
        };
        if let Err(refusal) = checked {
            refusals.push((index, refusal));
        }
    }
    refusals
}

/// The statement of the record that would follow `records` in a ledger:
/// what `review approve` signs.
pub fn next_statement(subject: &Subject, records: &[LedgerRecord], record: &LedgerRecord) -> String {
    let file = statement_path(subject);
    let mut previous: Option<Sha256> = None;
    for r in records {
        previous = Some(Sha256::of(statement(subject, &file, r, previous.as_ref()).as_bytes()));
    }
    statement(subject, &file, record, previous.as_ref())
}

/// The deployment's trust root: the editors whose signatures approve people
/// files, `site.toml` and the theme, with their keys. It lives outside the
/// repository, so that no commit can change it.
///
/// The file has one editor key per line, `<person-id> <public key>`, in the
/// manner of OpenSSH's allowed-signers files (options such as
/// `namespaces="securebase-review"` between the id and the key are allowed
/// and ignored); `#` starts a comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustRoot {
    /// The editors and their keys, in file order.
    pub editors: Vec<(PersonId, SigningKey)>,
    /// The file it was read from.
    pub path: PathBuf,
}

impl TrustRoot {
    /// Reads a trust root file, reporting every malformed line.
    pub fn read(path: &Path) -> Result<TrustRoot, Diagnostics> {
        match std::fs::read_to_string(path) {
            Ok(text) => TrustRoot::parse(&text, path),
            Err(e) => {
                let mut diags = Diagnostics::new();
                diags.push(
                    Diagnostic::error(Code::Trust, path, Position::START, format!("cannot read the trust root: {e}"))
                        .with_hint("pass --trust-root FILE (or set SECUREBASE_TRUST_ROOT) to a file of `<editor-id> <public key>` lines"),
                );
                Err(diags)
            }
        }
    }

    /// Parses the text of a trust root file (`path` names it in diagnostics).
    pub fn parse(text: &str, path: &Path) -> Result<TrustRoot, Diagnostics> {
        let mut diags = Diagnostics::new();
        let mut editors = Vec::new();
        let mut other_namespaces = 0;
        for (n, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let column = line.len() - line.trim_start().len() + 1;
            let at = Position::new(n + 1, column);
            let mut fields = trimmed.splitn(2, char::is_whitespace);
            let (Some(id), Some(rest)) = (fields.next(), fields.next()) else {
                diags.push(
                    Diagnostic::error(Code::Trust, path, at, "a line needs a person id and a public key")
                        .with_hint("write `<editor-id> ssh-ed25519 AAAA... comment`"),
                );
                continue;
            };
            let Ok(id) = id.parse::<PersonId>() else {
                diags.push(
                    Diagnostic::error(Code::Trust, path, at, format!("`{id}` is not a person id"))
                        .with_hint("the id is the stem of the editor's file in content/people/"),
                );
                continue;
            };
            let rest = rest.trim_start();
            let (options, key_text) = match rest.split_once(char::is_whitespace) {
                Some((first, after)) if !is_key_type(first) => (first, after.trim_start()),
                _ => ("", rest),
            };
            let window = match key_options(options) {
                Ok(Some(window)) => window,
                // Restricted to other namespaces: the key signs no review.
                Ok(None) => {
                    other_namespaces += 1;
                    continue;
                }
                Err(message) => {
                    diags.push(
                        Diagnostic::error(Code::Trust, path, Position::new(n + 1, column + id.as_str().len() + 1), message)
                            .with_hint("securebase reads the options `valid-after`, `valid-before`, `namespaces` and `verify-required` of an allowed-signers line"),
                    );
                    continue;
                }
            };
            match key_text.parse::<PublicKey>() {
                Ok(key) => editors.push((
                    id,
                    SigningKey {
                        key,
                        valid_after: window.after,
                        valid_before: window.before,
                        verify_required: window.verify_required,
                    },
                )),
                Err(e) => {
                    let column = column + line.trim_start().find(key_text).unwrap_or(0);
                    diags.push(
                        Diagnostic::error(Code::Trust, path, Position::new(n + 1, column), e.to_string())
                            .with_hint("copy the editor's public key line (the .pub file) after their id"),
                    );
                }
            }
        }
        if diags.is_empty() && editors.is_empty() {
            diags.push(
                Diagnostic::error(Code::Trust, path, Position::START, match other_namespaces {
                    0 => "the trust root names no editor".to_owned(),
                    n => format!("the trust root names no editor whose key may sign reviews ({n} keyed to other namespaces)"),
                })
                    .with_hint("add a line `<editor-id> ssh-ed25519 AAAA...` for each editor who approves people files, site.toml and the theme"),
            );
        }
        if diags.is_empty() { Ok(TrustRoot { editors, path: path.to_path_buf() }) } else { Err(diags) }
    }

    /// The keys of editor `id`.
    pub fn keys_of(&self, id: &PersonId) -> Vec<&SigningKey> {
        self.editors.iter().filter(|(e, _)| e == id).map(|(_, k)| k).collect()
    }

    /// Each editor with their key's fingerprint, in file order.
    pub fn fingerprints(&self) -> Vec<(PersonId, String)> {
        self.editors.iter().map(|(id, k)| (id.clone(), k.key.fingerprint())).collect()
    }
}

/// The first day a key may sign on, and the first it no longer may.
/// What an allowed-signers line's options say about its key.
struct Window {
    after: Option<Date>,
    before: Option<Date>,
    verify_required: bool,
}

/// Whether the first word of an allowed-signers line's rest is a key type
/// (so the line has no options).
fn is_key_type(word: &str) -> bool {
    ["ssh-", "sk-", "ecdsa-"].iter().any(|prefix| word.starts_with(prefix))
}

/// The days a trust root key may sign on (first, and first no longer) from
/// the options of an allowed-signers line (`valid-after="20260101"`,
/// `valid-before=...`, `namespaces="..."`), as `ssh-keygen -Y verify`
/// reads them: `None` when `namespaces` leaves out [`NAMESPACE`]. A time of
/// day narrows the window to whole days: a key valid after noon signs from
/// the next day, one valid before noon no longer on that day.
fn key_options(options: &str) -> Result<Option<Window>, String> {
    let (mut after, mut before, mut verify_required) = (None, None, false);
    let mut rest = options;
    while !rest.is_empty() {
        // The one option that takes no value: the key's signatures count
        // only with user verification (a passkey's PIN or biometric).
        if let Some(tail) = rest.strip_prefix("verify-required").filter(|t| t.is_empty() || t.starts_with(',')) {
            verify_required = true;
            rest = tail.strip_prefix(',').unwrap_or(tail);
            continue;
        }
        let (name, value, tail) = match rest.split_once('=') {
            Some((name, value)) if !name.contains(',') => match value.strip_prefix('"') {
                Some(quoted) => {
                    let end = quoted.find('"').ok_or_else(|| format!("the option `{name}` has no closing quote"))?;
                    (name, &quoted[..end], &quoted[end + 1..])
                }
                None => {
                    let end = value.find(',').unwrap_or(value.len());
                    (name, &value[..end], &value[end..])
                }
            },
            _ => {
                let name = rest.split(',').next().unwrap_or(rest);
                return Err(format!("the option `{name}` is not one securebase can honour"));
            }
        };
        let day = |value: &str, next_day: bool| -> Result<Date, String> {
            let digits = value.strip_suffix('Z').unwrap_or(value);
            let bad = || format!("`{name}=\"{value}\"` is not a date (YYYYMMDD, optionally with HHMM[SS])");
            if !(digits.len() == 8 || digits.len() == 12 || digits.len() == 14)
                || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(bad());
            }
            let date: Date =
                format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..8]).parse().map_err(|_| bad())?;
            let midnight = digits[8..].bytes().all(|b| b == b'0');
            if next_day && !midnight { date.tomorrow().map_err(|_| bad()) } else { Ok(date) }
        };
        match name {
            "valid-after" => after = Some(day(value, true)?),
            "valid-before" => before = Some(day(value, false)?),
            "namespaces" => {
                // OpenSSH's pattern list: a match allows, a negated one
                // (`!pattern`) refuses whatever else matched.
                let (mut allowed, mut refused) = (false, false);
                for pattern in value.split(',').map(str::trim) {
                    match pattern.strip_prefix('!') {
                        Some(negated) => refused |= glob(negated, NAMESPACE),
                        None => allowed |= glob(pattern, NAMESPACE),
                    }
                }
                if !allowed || refused {
                    return Ok(None);
                }
            }
            _ => return Err(format!("the option `{name}` is not one securebase can honour")),
        }
        rest = tail.strip_prefix(',').unwrap_or(tail);
    }
    Ok(Some(Window { after, before, verify_required }))
}

/// Whether `text` matches `pattern`, where `*` stands for any run of
/// characters and `?` for any one.
fn glob(pattern: &str, text: &str) -> bool {
    let mut p = pattern.chars();
    match p.next() {
        None => text.is_empty(),
        Some('*') => text.char_indices().map(|(i, _)| i).chain([text.len()]).any(|i| glob(p.as_str(), &text[i..])),
        Some(c) => {
            let mut t = text.chars();
            t.next().is_some_and(|d| c == '?' || c == d) && glob(p.as_str(), t.as_str())
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fixed Ed25519 key made from a seed, for tests that sign.
    pub(crate) fn test_key(seed: u8) -> ssh_key::PrivateKey {
        let pair = ssh_key::private::Ed25519Keypair::from_seed(&[seed; 32]);
        ssh_key::PrivateKey::new(ssh_key::private::KeypairData::Ed25519(pair), format!("test-{seed}")).unwrap()
    }

    /// The public key line of `private`.
    pub(crate) fn public_line(private: &ssh_key::PrivateKey) -> String {
        private.public_key().to_openssh().unwrap()
    }

    /// A ledger file of `records` about `subject`, each signed in turn by
    /// `private`.
    pub(crate) fn signed_yaml(subject: &Subject, private: &ssh_key::PrivateKey, records: Vec<LedgerRecord>) -> String {
        serde_yaml::to_string(&signed(subject, private, records)).unwrap()
    }

    fn signing_key(private: &ssh_key::PrivateKey) -> SigningKey {
        SigningKey {
            key: private.public_key().to_openssh().unwrap().parse().unwrap(),
            valid_after: None,
            valid_before: None,
            verify_required: false,
        }
    }

    fn record(blob: &[u8], summary: &str, date: &str) -> LedgerRecord {
        LedgerRecord {
            blob: BlobId::of(blob),
            reviewer: "riley".parse().unwrap(),
            date: date.parse().unwrap(),
            decision: Decision::Approved,
            summary: Some(summary.to_owned()),
            notes: None,
            sha256: Some(Sha256::of(blob)),
            files: Vec::new(),
            signature: None,
        }
    }

    fn sign(private: &ssh_key::PrivateKey, text: &str) -> String {
        private
            .sign(NAMESPACE, ssh_key::HashAlg::Sha512, text.as_bytes())
            .unwrap()
            .to_pem(ssh_key::LineEnding::LF)
            .unwrap()
    }

    /// A ledger of `records`, each signed in order by `private`.
    fn signed(subject: &Subject, private: &ssh_key::PrivateKey, mut records: Vec<LedgerRecord>) -> Vec<LedgerRecord> {
        for i in 0..records.len() {
            let text = next_statement(subject, &records[..i], &records[i]);
            records[i].signature = Some(sign(private, &text));
        }
        records
    }

    #[test]
    fn a_passkeys_record_is_an_approval_and_its_user_verification_is_honoured() {
        use crate::passkey::tests::{Browser, passkey_line};
        let subject: Subject = "styles/avoidant".parse().unwrap();
        let mut approval = record(b"text", "Checked", "2026-03-01");
        let statement = next_statement(&subject, &[], &approval);
        let present_only = Browser { flags: 0x01, ..Browser::honest("http://localhost:8417") };
        approval.signature = Some(present_only.sign(statement.as_bytes()));
        let key = |verify_required| SigningKey {
            key: passkey_line("localhost").parse().unwrap(),
            valid_after: None,
            valid_before: None,
            verify_required,
        };
        let check = |key: SigningKey| {
            let keys = [key];
            check_ledger(
                &subject,
                std::slice::from_ref(&approval),
                &|_| (keys.iter().collect(), "here"),
                Mathematics::Verify,
            )
        };
        assert_eq!(check(key(false)), []);
        assert_eq!(check(key(true)), [(0, Refusal::Passkey(crate::passkey::PasskeyError::UserVerification))]);
        // Production reuses the working tree's verification, and still asks
        // what the authenticator checked, as the approved key entry says.
        let keys = [key(true)];
        let reused = check_ledger(
            &subject,
            std::slice::from_ref(&approval),
            &|_| (keys.iter().collect(), "here"),
            Mathematics::AlreadyVerified,
        );
        assert_eq!(reused, [(0, Refusal::Passkey(crate::passkey::PasskeyError::UserVerification))]);
        assert!(signer_fingerprint(&approval).unwrap().starts_with("SHA256:"));
        assert_eq!(signer_fingerprint(&approval), Some(key(false).key.fingerprint()));
        // Another reviewer's passkey, or the record moved to another item.
        let moved: Subject = "styles/secure".parse().unwrap();
        let keys = [key(false)];
        let refused = check_ledger(
            &moved,
            std::slice::from_ref(&approval),
            &|_| (keys.iter().collect(), "here"),
            Mathematics::Verify,
        );
        assert_eq!(refused, [(0, Refusal::Mismatch)]);
    }

    #[test]
    fn the_statement_has_the_documented_layout() {
        let subject: Subject = "styles/avoidant".parse().unwrap();
        let r = record(b"text", "Line one\nback\\slash", "2026-11-02");
        let text = statement(&subject, "content/styles/avoidant.md", &r, None);
        let expected = format!(
            "securebase-review-v1\nref: styles/avoidant\npath: content/styles/avoidant.md\nblob: {}\nsha256: {}\ndecision: approved\nreviewer: riley\ndate: 2026-11-02\nsummary: Line one\\nback\\\\slash\nprevious: none\n",
            BlobId::of(b"text"),
            Sha256::of(b"text")
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn an_honest_ledger_verifies_and_every_tampering_is_caught() {
        let riley = test_key(1);
        let keys = [signing_key(&riley)];
        let subject: Subject = "styles/avoidant".parse().unwrap();
        let ledger = signed(
            &subject,
            &riley,
            vec![
                record(b"v1", "first", "2026-01-01"),
                record(b"v2", "second", "2026-02-01"),
                record(b"v3", "third", "2026-03-01"),
            ],
        );
        let by_riley = |_: &LedgerRecord| (keys.iter().collect::<Vec<_>>(), "in the test");
        assert_eq!(check_ledger(&subject, &ledger, &by_riley, Mathematics::Verify), vec![]);

        let mut edited = ledger.clone();
        edited[1].summary = Some("second, edited".into());
        // The next record's statement chains the edited one's, so it fails too.
        assert_eq!(
            check_ledger(&subject, &edited, &by_riley, Mathematics::Verify),
            vec![(1, Refusal::Mismatch), (2, Refusal::Mismatch)]
        );

        let mut redated = ledger.clone();
        redated[2].date = "2026-03-02".parse().unwrap();
        assert_eq!(check_ledger(&subject, &redated, &by_riley, Mathematics::Verify), vec![(2, Refusal::Mismatch)]);

        let mut reblobbed = ledger.clone();
        reblobbed[0].blob = BlobId::of(b"other");
        assert_eq!(check_ledger(&subject, &reblobbed, &by_riley, Mathematics::Verify)[0], (0, Refusal::Mismatch));

        let mut dropped = ledger.clone();
        dropped.remove(1);
        assert_eq!(check_ledger(&subject, &dropped, &by_riley, Mathematics::Verify), vec![(1, Refusal::Mismatch)]);

        let moved: Subject = "styles/secure".parse().unwrap();
        assert_eq!(check_ledger(&moved, &ledger[..1], &by_riley, Mathematics::Verify), vec![(0, Refusal::Mismatch)]);

        let mut unsigned = ledger.clone();
        unsigned[2].signature = None;
        assert_eq!(check_ledger(&subject, &unsigned, &by_riley, Mathematics::Verify), vec![(2, Refusal::Unsigned)]);
    }

    #[test]
    fn keys_count_only_for_their_owner_namespace_and_dates() {
        let riley = test_key(1);
        let writer = test_key(2);
        let subject: Subject = "guides/a".parse().unwrap();
        let r = record(b"v1", "first", "2026-06-01");
        let text = next_statement(&subject, &[], &r);

        let mut forged = r.clone();
        forged.signature = Some(sign(&writer, &text));
        let riley_keys = [signing_key(&riley)];
        match check_signature(&text, &forged, &riley_keys, "in content/people/riley.yaml") {
            Err(Refusal::UnknownKey { fingerprint, .. }) => {
                assert_eq!(fingerprint, writer.public_key().fingerprint(ssh_key::HashAlg::Sha256).to_string())
            }
            other => panic!("{other:?}"),
        }

        let mut other_namespace = r.clone();
        other_namespace.signature = Some(
            riley
                .sign("git", ssh_key::HashAlg::Sha512, text.as_bytes())
                .unwrap()
                .to_pem(ssh_key::LineEnding::LF)
                .unwrap(),
        );
        assert_eq!(check_signature(&text, &other_namespace, &riley_keys, ""), Err(Refusal::Namespace("git".into())));

        let mut honest = r.clone();
        honest.signature = Some(sign(&riley, &text));
        let retired = [SigningKey { valid_before: Some("2026-06-01".parse().unwrap()), ..signing_key(&riley) }];
        assert!(matches!(check_signature(&text, &honest, &retired, ""), Err(Refusal::OutsideValidity { .. })));
        let current = [SigningKey { valid_after: Some("2026-06-01".parse().unwrap()), ..signing_key(&riley) }];
        assert_eq!(check_signature(&text, &honest, &current, ""), Ok(()));
        assert_eq!(signer_fingerprint(&honest), Some(riley_keys[0].key.fingerprint()));

        let mut garbage = r;
        garbage.signature = Some("-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----".into());
        assert_eq!(check_signature(&text, &garbage, &riley_keys, ""), Err(Refusal::Malformed));
    }

    #[test]
    fn trust_roots_parse_with_located_errors() {
        let key = test_key(3).public_key().to_openssh().unwrap();
        let text = format!("# editors\n\nsam-editor {key}\nalex namespaces=\"securebase-review\" {key}\n");
        let root = TrustRoot::parse(&text, Path::new("root")).unwrap();
        let ids: Vec<&str> = root.editors.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["sam-editor", "alex"]);
        assert_eq!(
            root.fingerprints()[0].1,
            test_key(3).public_key().fingerprint(ssh_key::HashAlg::Sha256).to_string()
        );

        let bad =
            TrustRoot::parse("sam-editor ssh-ed25519 not-base64\nBad_Id ssh-ed25519 AAAA\nlonely\n", Path::new("root"))
                .unwrap_err();
        let found: Vec<(usize, usize)> = bad.iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(found, [(1, 12), (2, 1), (3, 1)]);
        assert!(TrustRoot::parse("# nothing\n", Path::new("root")).is_err());
    }

    #[test]
    fn trust_root_options_limit_a_key_as_ssh_keygen_would() {
        let key = test_key(3).public_key().to_openssh().unwrap();
        let parse = |options: &str| TrustRoot::parse(&format!("sam {options} {key}\nalex {key}\n"), Path::new("root"));
        let window = |options: &str| {
            let root = parse(options).unwrap();
            root.editors
                .iter()
                .filter(|(id, _)| id.as_str() == "sam")
                .map(|(_, k)| (k.valid_after.map(|d| d.to_string()), k.valid_before.map(|d| d.to_string())))
                .collect::<Vec<_>>()
        };
        let day = |d: &str| Some(d.to_owned());
        assert_eq!(window(r#"valid-before="20200101""#), [(None, day("2020-01-01"))]);
        assert_eq!(
            window(r#"valid-after="20200101",valid-before="20210101Z""#),
            [(day("2020-01-01"), day("2021-01-01"))]
        );
        // A time of day narrows the window to whole days.
        assert_eq!(
            window(r#"valid-after="202001011200",valid-before="202101011200""#),
            [(day("2020-01-02"), day("2021-01-01"))]
        );
        assert_eq!(window(r#"namespaces="git,securebase-*""#), [(None, None)]);
        // Passkeys: the user must be verified, not only present.
        let required =
            |options: &str| parse(options).unwrap().editors.iter().map(|(_, k)| k.verify_required).collect::<Vec<_>>();
        assert_eq!(required(r#"verify-required,valid-before="20200101""#), [true, false]);
        assert_eq!(required(r#"valid-before="20200101",verify-required"#), [true, false]);
        assert_eq!(window(r#"verify-required,valid-before="20200101""#), [(None, day("2020-01-01"))]);
        // A key kept to other namespaces signs no review.
        for options in [r#"namespaces="git""#, r#"namespaces="*,!securebase-review""#, r#"namespaces="securebase""#] {
            assert_eq!(window(options), [], "{options}");
        }
        for (options, message) in [
            ("cert-authority", "the option `cert-authority` is not one securebase can honour"),
            ("no-touch-required", "the option `no-touch-required` is not one securebase can honour"),
            (r#"valid-before="2020-01-01""#, r#"`valid-before="2020-01-01"` is not a date"#),
            (r#"valid-before="20201301""#, r#"`valid-before="20201301"` is not a date"#),
            (r#"namespaces="git"#, "the option `namespaces` has no closing quote"),
        ] {
            let errors = parse(options).unwrap_err();
            let found: Vec<String> = errors.iter().map(|d| format!("{}:{} {}", d.line, d.column, d.message)).collect();
            assert_eq!(found.len(), 1, "{options}: {found:?}");
            assert!(found[0].starts_with("1:5 ") && found[0].contains(message), "{options}: {found:?}");
        }
        assert!(glob("a*c?", "abbcd") && glob("*", "") && !glob("a*c", "abd") && glob("é?", "éx"));
    }
}
