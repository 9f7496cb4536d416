//! Handlers as typed use cases: what a handler needs is in its signature, and what may stop it
//! is a [`PageError`] it returns with `?`.
//!
//! * [`Holds<R>`] — the signed-in staff member, holding the right `R` (else 403);
//! * [`CsrfForm`] — the submitted form, its CSRF token checked (else 403);
//! * [`ReadableFile`] / [`WritableFile`] — the person file named by the path's `{handle}`,
//!   loaded through the caller's scope (else 404: a person outside the area does not exist for
//!   the caller).
//!
//! A handler written with them has no preamble: `async fn h(caller: Holds<WritesPersons>,
//! file: WritableFile, form: CsrfForm) -> PageResult`.

use std::collections::HashMap;
use std::marker::PhantomData;

use axum::extract::Multipart;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use zhucan_domain::Lang;
use zhucan_store::{PersonFile, StoreError, User};

use crate::AppState;
use crate::auth::{PageCaller, ToLogin};
use crate::pages::{csrf_failed, csrf_ok, error_page, forbidden_for, not_found_for, store_error};
use crate::scope;

/// A page that could not be served: rendered with the caller's chrome and the right status.
#[derive(Debug)]
pub struct PageError(Response);

/// What a page handler returns.
pub type PageResult = Result<Response, PageError>;

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0
    }
}

impl From<ToLogin> for PageError {
    fn from(t: ToLogin) -> Self {
        PageError(t.into_response())
    }
}

impl PageError {
    /// Any other response (a redirect, a page of its own) that ends the handler early.
    pub fn response(r: Response) -> Self {
        PageError(r)
    }

    pub fn not_found(caller: &PageCaller) -> Self {
        PageError(not_found_for(caller))
    }

    pub fn forbidden(caller: &PageCaller) -> Self {
        PageError(forbidden_for(caller))
    }

    pub fn csrf(caller: &PageCaller) -> Self {
        PageError(csrf_failed(caller))
    }

    pub fn store(caller: &PageCaller, e: StoreError) -> Self {
        PageError(store_error(caller, e))
    }

    /// A page with one message and a status (409 for a stale save, 400 for a bad request …).
    pub fn message(caller: &PageCaller, status: StatusCode, zh: &str, en: &str) -> Self {
        PageError(error_page(Some(caller), caller.lang, status, zh, en))
    }
}

/// `?` on a storage result inside a page handler: a failure is the error page.
pub trait OrPage<T> {
    fn or_page(self, caller: &PageCaller) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, StoreError> {
    fn or_page(self, caller: &PageCaller) -> Result<T, PageError> {
        self.map_err(|e| PageError::store(caller, e))
    }
}

/// A right an account may hold: by its role (`zhucan_domain::access::Role`) and, for some, its
/// area's level.
pub trait Right: Send + Sync + 'static {
    fn held_by(user: &User) -> bool;

    /// The refusal page's text (zh, en) when the right has its own (else the generic one).
    fn refusal() -> Option<(&'static str, &'static str)> {
        None
    }
}

macro_rules! rights {
    ($($(#[$m:meta])* $name:ident => $method:ident;)*) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, Copy)]
            pub struct $name;
            impl Right for $name {
                fn held_by(user: &User) -> bool {
                    user.role.$method()
                }
            }
        )*
    };
}

rights! {
    /// Reads person files (within the area).
    ReadsPersons => reads_persons;
    /// Changes person files (within the area).
    WritesPersons => writes_persons;
    /// Works subsidy cases.
    WorksSubsidies => works_subsidies;
}

/// Exports lists of named persons — the registry workbook and an indicator's drill-down list:
/// the roles of [`scope::can_export`] (district administrators, township staff).
#[derive(Debug, Clone, Copy)]
pub struct ExportsPersons;

impl Right for ExportsPersons {
    fn held_by(user: &User) -> bool {
        scope::can_export(user)
    }

    fn refusal() -> Option<(&'static str, &'static str)> {
        Some((
            "只有区残联管理员和乡镇（街道）工作人员可以导出人员名单。",
            "Only district administrators and township staff may export lists of persons.",
        ))
    }
}

/// The signed-in staff member, holding the right `R`.
#[derive(Debug, Clone)]
pub struct Holds<R: Right> {
    pub caller: PageCaller,
    _right: PhantomData<R>,
}

impl<R: Right> std::ops::Deref for Holds<R> {
    type Target = PageCaller;
    fn deref(&self) -> &PageCaller {
        &self.caller
    }
}

impl<R: Right> FromRequestParts<AppState> for Holds<R> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let caller = PageCaller::from_request_parts(parts, state).await?;
        if !R::held_by(&caller.user) {
            return Err(match R::refusal() {
                Some((zh, en)) => PageError::message(&caller, StatusCode::FORBIDDEN, zh, en),
                None => PageError::forbidden(&caller),
            });
        }
        Ok(Holds {
            caller,
            _right: PhantomData,
        })
    }
}

/// A submitted form whose CSRF token matched the caller's session.
#[derive(Debug, Clone)]
pub struct CsrfForm(pub HashMap<String, String>);

impl FromRequest<AppState> for CsrfForm {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let caller = PageCaller::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let axum::Form(form) = axum::Form::<HashMap<String, String>>::from_request(req, state)
            .await
            .map_err(|_| PageError::csrf(&caller))?;
        if !csrf_ok(&caller, &form) {
            return Err(PageError::csrf(&caller));
        }
        Ok(CsrfForm(form))
    }
}

/// The `{handle}` of the path.
async fn handle_of(parts: &mut Parts, state: &AppState) -> Option<String> {
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .ok()?;
    params.get("handle").cloned()
}

/// Loads the file behind `handle` if the caller may read it (through [`scope`]).
async fn scoped(
    state: &AppState,
    caller: &PageCaller,
    handle: &str,
) -> Result<Option<PersonFile>, PageError> {
    if scope::person_area(&caller.user).is_none() {
        return Ok(None);
    }
    let Some(id) = state.store.citizen_by_ref(handle).await.or_page(caller)? else {
        return Ok(None);
    };
    let file = scope::read_file(&state.store, &caller.user, &id)
        .await
        .or_page(caller)?;
    Ok(file)
}

/// The person file of the path's `{handle}`, readable by the caller (else 404).
#[derive(Debug, Clone)]
pub struct ReadableFile(pub PersonFile);

impl FromRequestParts<AppState> for ReadableFile {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let caller = PageCaller::from_request_parts(parts, state).await?;
        let Some(handle) = handle_of(parts, state).await else {
            return Err(PageError::not_found(&caller));
        };
        match scoped(state, &caller, &handle).await? {
            Some(f) => Ok(ReadableFile(f)),
            None => Err(PageError::not_found(&caller)),
        }
    }
}

/// The person file of the path's `{handle}`, which the caller may change (else 404).
#[derive(Debug, Clone)]
pub struct WritableFile(pub PersonFile);

impl FromRequestParts<AppState> for WritableFile {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let caller = PageCaller::from_request_parts(parts, state).await?;
        let Some(handle) = handle_of(parts, state).await else {
            return Err(PageError::not_found(&caller));
        };
        writable_file(state, &caller, &handle)
            .await
            .map(WritableFile)
    }
}

/// The person file behind `handle` that the caller may change (else 404): for a handle
/// posted in a form; the path's `{handle}` is [`WritableFile`].
pub async fn writable_file(
    state: &AppState,
    caller: &PageCaller,
    handle: &str,
) -> Result<PersonFile, PageError> {
    match scoped(state, caller, handle).await? {
        Some(f) if scope::can_write(&caller.user, &f.person) => Ok(f),
        _ => Err(PageError::not_found(caller)),
    }
}

/// A programme's record that belongs to a person (a case, an application, a need), loaded for a
/// change: the record and its person's file when the caller may change that file. A record
/// that is absent or whose person is outside the caller's reach is the same 404, so an ID
/// tells nothing about another area.
pub async fn writable_record<T>(
    state: &AppState,
    caller: &PageCaller,
    found: Result<Option<T>, StoreError>,
    person: impl FnOnce(&T) -> &zhucan_domain::ids::CitizenId,
) -> Result<(T, PersonFile), PageError> {
    let record = found
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    let file = state
        .store
        .person_file(person(&record), &zhucan_store::Reach::of(&caller.user))
        .await
        .or_page(caller)?;
    match file {
        Some(f) if scope::can_write(&caller.user, &f.person) => Ok((record, f)),
        _ => Err(PageError::not_found(caller)),
    }
}

/// A submitted multipart form (with uploads) whose CSRF token matched the caller's session.
pub struct CsrfMultipart(pub Posted);

impl FromRequest<AppState> for CsrfMultipart {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let caller = PageCaller::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let bad = |m: String| PageError::message(&caller, StatusCode::BAD_REQUEST, &m, &m);
        let mp = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|e| bad(e.body_text()))?;
        let posted = read_multipart(mp, caller.lang).await.map_err(bad)?;
        if !csrf_ok(&caller, &posted.values) {
            return Err(PageError::csrf(&caller));
        }
        Ok(CsrfMultipart(posted))
    }
}

/// The text fields and files of a multipart form.
pub struct Posted {
    pub values: HashMap<String, String>,
    pub files: Vec<(String, String, Vec<u8>)>,
}

/// Reads a multipart form; a broken body is an error message.
pub async fn read_multipart(mut mp: Multipart, lang: Lang) -> Result<Posted, String> {
    let mut values = HashMap::new();
    let mut files = Vec::new();
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let file_name = field.file_name().map(str::to_string);
                let bytes = field.bytes().await.map_err(|e| match lang {
                    Lang::Zh => format!("上传未完成：{e}"),
                    Lang::En => format!("the upload did not complete: {e}"),
                })?;
                match file_name {
                    Some(fname) if !fname.is_empty() || !bytes.is_empty() => {
                        files.push((name, fname, bytes.to_vec()))
                    }
                    Some(_) => {}
                    None => {
                        values.insert(name, String::from_utf8_lossy(&bytes).into_owned());
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                return Err(match lang {
                    Lang::Zh => format!("表单无法读取：{e}"),
                    Lang::En => format!("the form could not be read: {e}"),
                });
            }
        }
    }
    Ok(Posted { values, files })
}
