//! The desk over HTTP: its routes, the session cookie, and the hardening
//! every response gets (a strict Content-Security-Policy with no inline
//! script, cross-site requests refused by their origin, a body limit).

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use securebase::decision::Request as Decided;
use securebase::passkey::Assertion;
use securebase::{BlobId, Decision, ItemRef, PersonId, Sha256, Subject};
use serde::Deserialize;
use serde_json::json;

use crate::desk::{Desk, DeskError, SESSION_TTL};
use crate::pages;
use crate::secret::{b64url, from_b64url};

/// The session cookie's name.
const COOKIE: &str = "securebase_desk";

/// The largest request body the desk reads.
const MAX_BODY: usize = 64 * 1024;

const SCRIPT: &str = include_str!("../static/desk.js");
const STYLE: &str = include_str!("../static/desk.css");
const ICON: &str = include_str!("../static/icon.svg");

/// The policy of the desk's own pages: nothing from elsewhere, no inline
/// script or style, no framing, and of scripts only the desk's own (its
/// origin is added before it): never a file the repository holds.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; connect-src 'self'; \
form-action 'self'; frame-ancestors 'none'; base-uri 'none'; script-src";

/// The policy of what the repository holds (the reader's view of a page,
/// the theme's assets): committed by writers, approved by no one yet, so
/// sandboxed with no script at all, in an origin of its own.
const SANDBOX: &str =
    "sandbox; default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The asset types the reader's view may load; nothing that runs.
const ASSET_TYPES: [(&str, &str); 5] = [
    ("css", "text/css; charset=utf-8"),
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("woff2", "font/woff2"),
];

/// The desk's routes over `desk`.
pub fn router(desk: Arc<Desk>) -> Router {
    Router::new()
        .route("/", get(queue))
        .route("/sign-in", get(|| async { html(StatusCode::OK, pages::sign_in()) }))
        .route("/sign-out", post(sign_out))
        .route("/enrol/{secret}", get(enrol))
        .route("/review/{*subject}", get(review))
        .route("/reader/{collection}/{slug}/", get(reader))
        .route("/assets/{*path}", get(asset))
        .route("/desk/desk.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT) }))
        .route("/desk/desk.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE) }))
        .route("/desk/icon.svg", get(|| async { ([(header::CONTENT_TYPE, "image/svg+xml")], ICON) }))
        .route("/api/sign-in/begin", post(sign_in_begin))
        .route("/api/sign-in/finish", post(sign_in_finish))
        .route("/api/enrol/begin", post(enrol_begin))
        .route("/api/enrol/finish", post(enrol_finish))
        .route("/api/decide/begin", post(decide_begin))
        .route("/api/decide/finish", post(decide_finish))
        .layer(middleware::from_fn_with_state(desk.clone(), harden))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(desk)
}

/// Refuses a state-changing request from another origin (a cross-site
/// form post, a script elsewhere), and adds the security headers.
async fn harden(State(desk): State<Arc<Desk>>, request: Request, next: Next) -> Response {
    let sandboxed = request.uri().path().starts_with("/reader/") || request.uri().path().starts_with("/assets/");
    let csp = if sandboxed { SANDBOX.to_owned() } else { format!("{CSP} {}/desk/desk.js", desk.options.origin) };
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let origin = request.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok());
        if origin != Some(desk.options.origin.as_str()) {
            let error = json!({ "error": "cross-site request refused: it did not come from this desk's own pages", "code": "cross-site" });
            return with_headers((StatusCode::FORBIDDEN, Json(error)).into_response(), &csp);
        }
    }
    with_headers(next.run(request).await, &csp)
}

fn with_headers(mut response: Response, csp: &str) -> Response {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

fn html(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// The person signed in with the request's cookie.
fn signed_in(desk: &Desk, headers: &HeaderMap) -> Option<PersonId> {
    let cookies = headers.get_all(header::COOKIE);
    cookies
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .find_map(|secret| desk.session(secret))
        .map(|s| s.person)
}

fn cookie_secret(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| Some(c.trim().strip_prefix(COOKIE)?.strip_prefix('=')?.to_owned()))
}

/// Runs desk work off the async threads (it reads files and runs git).
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

fn error_json(error: &DeskError) -> Response {
    let status = match error {
        DeskError::SignedOut => StatusCode::UNAUTHORIZED,
        DeskError::BadRequest(_) => StatusCode::BAD_REQUEST,
        DeskError::Refused { .. } => StatusCode::CONFLICT,
        DeskError::Invite(crate::invite::InviteError::Expired) => StatusCode::GONE,
        DeskError::Invite(_) => StatusCode::NOT_FOUND,
        DeskError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, Json(json!({ "error": error.to_string(), "code": error.code() }))).into_response()
}

async fn queue(State(desk): State<Arc<Desk>>, headers: HeaderMap) -> Response {
    let Some(person) = signed_in(&desk, &headers) else { return Redirect::to("/sign-in").into_response() };
    blocking(move || match desk.snapshot() {
        Ok(snapshot) => html(StatusCode::OK, pages::queue(&desk, &snapshot, &person)),
        Err(e) => html(
            StatusCode::INTERNAL_SERVER_ERROR,
            pages::problem("The content does not load", &e.to_string(), Some(person.as_str())),
        ),
    })
    .await
}

async fn sign_out(State(desk): State<Arc<Desk>>, headers: HeaderMap) -> Response {
    if let Some(secret) = cookie_secret(&headers) {
        desk.sign_out(&secret);
    }
    let mut response = Redirect::to("/sign-in").into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

async fn enrol(State(desk): State<Arc<Desk>>, Path(secret): Path<String>) -> Response {
    blocking(move || match desk.invitations().open(&secret) {
        Ok(invitation) => {
            let name = desk
                .snapshot()
                .ok()
                .and_then(|s| s.library.person(&invitation.person).map(|p| p.name.clone()))
                .unwrap_or_else(|| invitation.person.to_string());
            html(StatusCode::OK, pages::enrol(&secret, &invitation.person, &name))
        }
        Err(e) => {
            let status =
                if e == crate::invite::InviteError::Expired { StatusCode::GONE } else { StatusCode::NOT_FOUND };
            html(status, pages::problem("This invitation cannot be used", &e.to_string(), None))
        }
    })
    .await
}

async fn review(State(desk): State<Arc<Desk>>, headers: HeaderMap, Path(subject): Path<String>) -> Response {
    let Some(person) = signed_in(&desk, &headers) else { return Redirect::to("/sign-in").into_response() };
    blocking(move || {
        let not_found = || {
            html(
                StatusCode::NOT_FOUND,
                pages::problem(
                    "No such subject",
                    &format!("there is nothing to review called {subject}"),
                    Some(person.as_str()),
                ),
            )
        };
        let Ok(subject) = subject.parse::<Subject>() else { return not_found() };
        let snapshot = match desk.snapshot() {
            Ok(s) => s,
            Err(e) => {
                return html(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    pages::problem("The content does not load", &e.to_string(), Some(person.as_str())),
                );
            }
        };
        let library = &snapshot.library;
        let Some(file) = library.subject_file(&subject) else { return not_found() };
        let shown = match &subject {
            Subject::Theme => {
                let listing = snapshot.theme_listing.clone().unwrap_or_default();
                (BlobId::of(listing.as_bytes()), Sha256::of(listing.as_bytes()), listing.into_bytes())
            }
            _ => {
                let bytes = std::fs::read(library.root().join(&file)).unwrap_or_default();
                (BlobId::of(&bytes), Sha256::of(&bytes), bytes)
            }
        };
        let ledger = std::fs::read(library.root().join(securebase::ProjectLayout::ledger(&subject)))
            .ok()
            .map(|b| BlobId::of(&b));
        let shown = pages::Shown { blob: shown.0, sha256: shown.1, bytes: shown.2, ledger };
        let approved = securebase::latest_approval(library.records(&subject)).filter(|_| subject != Subject::Theme);
        let approved_text = approved.and_then(|record| desk.read_blob(&record.blob, &file));
        match pages::review(&desk, &snapshot, &person, &subject, approved_text, &shown) {
            Some(page) => html(StatusCode::OK, page),
            None => not_found(),
        }
    })
    .await
}

async fn reader(
    State(desk): State<Arc<Desk>>,
    headers: HeaderMap,
    Path((collection, slug)): Path<(String, String)>,
) -> Response {
    let Some(_) = signed_in(&desk, &headers) else { return Redirect::to("/sign-in").into_response() };
    blocking(move || {
        let Ok(item) = format!("{collection}/{slug}").parse::<ItemRef>() else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let Ok(snapshot) = desk.snapshot() else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
        let options = securebase_site::BuildOptions {
            edition: securebase_site::Edition::Preview,
            today: desk.today(),
            git: securebase_site::GitInputs::default(),
            theme: None,
            bundle: None,
        };
        let site = match securebase_site::Site::new(&snapshot.library, &options) {
            Ok(site) => site,
            Err(e) => {
                return html(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    pages::problem("The theme does not load", &e.to_string(), None),
                );
            }
        };
        let items: BTreeSet<ItemRef> = [item.clone()].into();
        let page = format!("{}/{}/index.html", item.collection, item.slug);
        match site.render(securebase_site::Part::Items(&items)) {
            Ok(files) => match files.into_iter().find(|(path, _)| *path == page) {
                Some((_, bytes)) => {
                    (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], bytes).into_response()
                }
                None => StatusCode::NOT_FOUND.into_response(),
            },
            Err(e) => html(
                StatusCode::INTERNAL_SERVER_ERROR,
                pages::problem("The page does not render", &e.to_string(), None),
            ),
        }
    })
    .await
}

async fn asset(State(desk): State<Arc<Desk>>, headers: HeaderMap, Path(path): Path<String>) -> Response {
    let Some(_) = signed_in(&desk, &headers) else { return StatusCode::NOT_FOUND.into_response() };
    blocking(move || {
        let root = desk.options.root.clone();
        let Ok(snapshot) = desk.snapshot() else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
        let wanted = format!("assets/{path}");
        // The project's static/ overrides the theme's, as in a build.
        let theme = securebase::ProjectLayout::theme(&snapshot.library.config().theme).join("static");
        for dir in [std::path::PathBuf::from(securebase::ProjectLayout::STATIC), theme] {
            let Ok(files) = securebase::ProjectLayout::files_under(&root, &root.join(dir)) else { continue };
            let Some(file) = files.get(&wanted) else { continue };
            let extension = wanted.rsplit('.').next().unwrap_or_default();
            let Some((_, kind)) = ASSET_TYPES.iter().find(|(e, _)| *e == extension) else {
                return StatusCode::NOT_FOUND.into_response();
            };
            // A file reached through a link is not served: a committed
            // link could point anywhere in the project, .git included.
            let path = root.join(file);
            let linked = file.ancestors().any(|p| !p.as_os_str().is_empty() && root.join(p).is_symlink());
            if linked || path.is_symlink() {
                return StatusCode::NOT_FOUND.into_response();
            }
            let bytes = std::fs::read(path).unwrap_or_default();
            return ([(header::CONTENT_TYPE, *kind)], bytes).into_response();
        }
        StatusCode::NOT_FOUND.into_response()
    })
    .await
}

/// An authenticator's answer, as the page sends it (base64url fields).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    id: String,
    authenticator_data: String,
    #[serde(rename = "clientDataJSON")]
    client_data_json: String,
    signature: String,
    #[serde(default)]
    user_handle: Option<String>,
}

impl Answer {
    fn assertion(&self) -> Result<Assertion, DeskError> {
        let bad = |what: &str| DeskError::BadRequest(format!("the {what} is not base64url"));
        let client_data_json = from_b64url(&self.client_data_json).ok_or_else(|| bad("client data"))?;
        let client: serde_json::Value = serde_json::from_slice(&client_data_json)
            .map_err(|_| DeskError::BadRequest("the client data is not JSON".into()))?;
        let origin = client["origin"].as_str().unwrap_or_default().to_owned();
        Ok(Assertion {
            authenticator_data: from_b64url(&self.authenticator_data).ok_or_else(|| bad("authenticator data"))?,
            client_data_json,
            signature_der: from_b64url(&self.signature).ok_or_else(|| bad("signature"))?,
            origin,
        })
    }
}

async fn sign_in_begin(State(desk): State<Arc<Desk>>) -> Response {
    match desk.sign_in_begin() {
        Ok((id, challenge)) => {
            Json(json!({ "id": id, "challenge": b64url(&challenge), "rpId": desk.rp_id })).into_response()
        }
        Err(e) => error_json(&e),
    }
}

async fn sign_in_finish(State(desk): State<Arc<Desk>>, Json(answer): Json<Answer>) -> Response {
    blocking(move || {
        let person = answer
            .user_handle
            .as_deref()
            .and_then(from_b64url)
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|id| id.parse::<PersonId>().ok());
        let Some(person) = person else {
            return error_json(&DeskError::BadRequest("the passkey did not say whose it is (no user handle)".into()));
        };
        let result = answer.assertion().and_then(|assertion| desk.sign_in_finish(&answer.id, &person, &assertion));
        match result {
            Ok(secret) => {
                let secure = if desk.options.origin.starts_with("https://") { "; Secure" } else { "" };
                let cookie = format!(
                    "{COOKIE}={secret}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
                    SESSION_TTL.as_secs()
                );
                let mut response = Json(json!({ "ok": true, "redirect": "/" })).into_response();
                if let Ok(value) = HeaderValue::from_str(&cookie) {
                    response.headers_mut().insert(header::SET_COOKIE, value);
                }
                response
            }
            Err(e) => error_json(&e),
        }
    })
    .await
}

#[derive(Deserialize)]
struct EnrolBegin {
    invitation: String,
}

async fn enrol_begin(State(desk): State<Arc<Desk>>, Json(body): Json<EnrolBegin>) -> Response {
    blocking(move || match desk.enrol_begin(&body.invitation) {
        Ok((id, challenge, person)) => {
            let name = desk
                .snapshot()
                .ok()
                .and_then(|s| s.library.person(&person).map(|p| p.name.clone()))
                .unwrap_or_else(|| person.to_string());
            Json(json!({
                "id": id,
                "challenge": b64url(&challenge),
                "rp": { "id": desk.rp_id, "name": "securebase review desk" },
                "user": { "id": b64url(person.as_str().as_bytes()), "name": person.as_str(), "displayName": name },
            }))
            .into_response()
        }
        Err(e) => error_json(&e),
    })
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnrolFinish {
    id: String,
    #[serde(rename = "clientDataJSON")]
    client_data_json: String,
    public_key: String,
}

async fn enrol_finish(State(desk): State<Arc<Desk>>, Json(body): Json<EnrolFinish>) -> Response {
    blocking(move || {
        let (Some(client), Some(spki)) = (from_b64url(&body.client_data_json), from_b64url(&body.public_key)) else {
            return error_json(&DeskError::BadRequest("the registration's fields are not base64url".into()));
        };
        match desk.enrol_finish(&body.id, &client, &spki) {
            Ok(line) => Json(json!({
                "ok": true,
                "keyLine": line,
                "message": "Your passkey is registered. It counts once an editor approves your people file; an editor's passkey also goes into the deployment's trust root.",
            }))
            .into_response(),
            Err(e) => error_json(&e),
        }
    })
    .await
}

#[derive(Deserialize)]
struct DecideBegin {
    subject: String,
    blob: String,
    sha256: String,
    #[serde(default)]
    ledger: String,
    decision: String,
    text: String,
}

async fn decide_begin(State(desk): State<Arc<Desk>>, headers: HeaderMap, Json(body): Json<DecideBegin>) -> Response {
    let Some(person) = signed_in(&desk, &headers) else { return error_json(&DeskError::SignedOut) };
    blocking(move || {
        let parsed = (|| {
            let subject: Subject = body.subject.parse().ok()?;
            let blob = BlobId::try_from(body.blob.clone()).ok()?;
            let sha256 = Sha256::try_from(body.sha256.clone()).ok()?;
            let ledger = if body.ledger.is_empty() { None } else { Some(BlobId::try_from(body.ledger.clone()).ok()?) };
            let decision = match body.decision.as_str() {
                "approved" => Decision::Approved,
                "changes_requested" => Decision::ChangesRequested,
                _ => return None,
            };
            Some((subject, blob, sha256, ledger, decision))
        })();
        let Some((subject, blob, sha256, ledger, decision)) = parsed else {
            return error_json(&DeskError::BadRequest("the decision's fields are malformed".into()));
        };
        let request = Decided { subject: &subject, signer: &person, decision, text: &body.text, on: desk.today() };
        match desk.decide_begin(&person, &request, (&blob, &sha256, ledger.as_ref())) {
            Ok((id, challenge)) => {
                Json(json!({ "id": id, "challenge": b64url(&challenge), "rpId": desk.rp_id })).into_response()
            }
            Err(e) => error_json(&e),
        }
    })
    .await
}

async fn decide_finish(State(desk): State<Arc<Desk>>, headers: HeaderMap, Json(answer): Json<Answer>) -> Response {
    let Some(person) = signed_in(&desk, &headers) else { return error_json(&DeskError::SignedOut) };
    blocking(move || {
        match answer.assertion().and_then(|assertion| desk.decide_finish(&person, &answer.id, &assertion)) {
            Ok(message) => Json(json!({ "ok": true, "message": message })).into_response(),
            Err(e) => error_json(&e),
        }
    })
    .await
}
