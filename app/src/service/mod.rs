//! The service layer (server only): one module per area. Each function takes
//! the [`Context`] (database, content, mail), the [`Caller`] and a typed
//! command; it asks the policy (`domain::access`) before it reads anything the
//! caller may not see, applies the rules of `domain/`, stores through
//! `storage/`, and returns a typed result.
//!
//! Everything that acts on records comes through here: the server functions
//! of `api/` (short adapters), the downloads of `server::exports`, the seed,
//! the demo data and the benchmarks. Nothing here knows about Leptos except
//! [`request`], which reads the context and the caller of the request being
//! served.

pub mod accounts;
pub mod admin;
pub mod editions;
pub mod externship;
pub mod modules;
pub mod people;
pub mod reports;
pub mod request;
pub mod signoffs;
pub mod status;

use std::sync::Arc;

use crate::auth::flows::Env;
use crate::auth::mail::Mailer;
use crate::auth::{AuthSettings, RequestAuth};
use crate::content::Catalog;
use crate::domain::access::{Action, Decision, Principal, decide};
use crate::error::AppError;
use crate::storage::Db;

/// What every service call can reach.
#[derive(Clone, Debug)]
pub struct Context {
    pub db: Db,
    /// The content tree, validated and rendered at start-up.
    pub catalog: Arc<Catalog>,
    pub auth: Arc<AuthSettings>,
    pub mailer: Mailer,
}

impl Context {
    /// What the sign-in flows need, at this instant.
    pub fn env(&self) -> Env<'_> {
        Env { db: &self.db, settings: &self.auth, mailer: &self.mailer, now: chrono::Utc::now() }
    }
}

/// Who is asking, and from where: what every service call needs besides its
/// command. Records store the name, address and browser of their signer.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    pub principal: Option<Principal>,
    /// The signed-in person's display name, as records store it.
    pub name: Option<String>,
    pub ip: String,
    pub user_agent: Option<String>,
}

impl Caller {
    /// The caller of a request, as the session middleware found it.
    pub fn from_auth(auth: &RequestAuth) -> Caller {
        Caller {
            principal: auth.signed_in.as_ref().map(|s| s.principal.clone()),
            name: auth.signed_in.as_ref().map(|s| s.user.display_name.clone()),
            ip: auth.ip.clone(),
            user_agent: auth.user_agent.clone(),
        }
    }

    pub fn principal(&self) -> Option<&Principal> {
        self.principal.as_ref()
    }

    /// Asks the policy; a refusal is logged with its reason and becomes the
    /// error the user sees (its status comes from `AppError::status`).
    pub fn authorize(&self, action: &Action) -> Result<Option<&Principal>, AppError> {
        let who = self.principal.as_ref();
        match decide(who, action) {
            Decision::Allow => Ok(who),
            Decision::NeedsSignIn => Err(AppError::Unauthenticated),
            Decision::Deny(reason) => {
                tracing::warn!(reason, ?action, user = who.map(|p| p.user_id.get()), "access denied");
                Err(AppError::Forbidden)
            }
        }
    }

    /// Like [`Caller::authorize`], for actions that need a signed-in person.
    pub fn authorize_signed_in(&self, action: &Action) -> Result<&Principal, AppError> {
        self.authorize(action)?.ok_or(AppError::Unauthenticated)
    }

    /// Whether the policy allows this, without logging a refusal: for what a
    /// page offers (a button shown), never for what it does.
    pub fn may(&self, action: &Action) -> bool {
        decide(self.principal.as_ref(), action).allowed()
    }

    /// The signed-in person's name, as a record stores it.
    pub fn name(&self) -> Result<&str, AppError> {
        self.name.as_deref().ok_or(AppError::Unauthenticated)
    }
}
