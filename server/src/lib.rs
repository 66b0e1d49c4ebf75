//! Checkoff's HTTP server: the axum router around the Leptos app, plus the
//! routes that are not pages (`/healthz`).

/// The allocator of every binary that links the server (the server itself,
/// its tests and benchmarks): see the note in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod checkpoints;
pub mod config;
pub mod csrf;
pub mod demo;
pub mod exports;
pub mod health;
pub mod input_guard;
pub mod no_script;
pub mod page_cache;
pub mod seed;
pub mod serve;
pub mod session_layer;

use std::sync::Arc;

use app::content::Catalog;
use app::service::Context;
use app::storage::Db;
use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::config::{Config, ConfigError, SiteOrigin};

/// Shared by every handler and, through [`Context`], every server function.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub site: Arc<SiteOrigin>,
    pub catalog: Arc<Catalog>,
    /// The sign-off checkpoint signer, when this server keeps checkpoints.
    pub checkpoints: Option<Arc<checkpoints::Signer>>,
    /// What the service layer needs: downloads call it as server functions do.
    pub services: Context,
}

/// The app's routes, generated once per process. `generate_route_list`
/// renders the app under leptos_server's process-wide `SuppressResourceLoad`
/// flag, and a resource that first polls meanwhile, on any thread, stays
/// pending forever (leptos-rs/leptos#4773): a second router built while a
/// page renders (tests build one per test) would hang that render.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::Mutex<Option<Vec<leptos_axum::AxumRouteListing>>> = std::sync::Mutex::new(None);
    let mut routes = ROUTES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    routes.get_or_insert_with(|| generate_route_list(App)).clone()
}

/// Builds the whole application router (without checkpoint downloads).
pub fn router(config: &Config, db: Db, catalog: Arc<Catalog>) -> Result<Router, ConfigError> {
    router_with(config, db, catalog, None)
}

/// Builds the whole application router; with a signer, directors can
/// download their program's checkpoints.
pub fn router_with(
    config: &Config,
    db: Db,
    catalog: Arc<Catalog>,
    signer: Option<Arc<checkpoints::Signer>>,
) -> Result<Router, ConfigError> {
    let site = Arc::new(config.site_origin()?);
    let leptos_options = LeptosOptions::builder()
        .output_name("checkoff")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.listen_addr)
        .env(Env::PROD)
        .build();
    let auth = Arc::new(config.auth_settings()?);
    let mailer = config.mailer()?;
    let services = Context { db: db.clone(), catalog: catalog.clone(), auth: auth.clone(), mailer };
    let state = AppState {
        leptos_options: leptos_options.clone(),
        db: db.clone(),
        site: site.clone(),
        catalog,
        checkpoints: signer,
        services: services.clone(),
    };
    let sessions =
        session_layer::SessionLayerState { db: db.clone(), settings: auth.clone(), trust_proxy: config.trust_proxy };

    let context = move || provide_context(services.clone());
    let routes = route_list();

    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/programs/{program}/students/{student}/checklist.csv", get(exports::master_checklist_csv))
        .route("/programs/{program}/summary.csv", get(exports::summary_csv))
        .route("/programs/{program}/checkpoints.jsonl", get(exports::checkpoints_file))
        .route("/competencies.csv", get(exports::framework_csv))
        .nest_service("/module-images", module_images(&config.content_dir))
        .nest_service("/pkg", bundle_files(&config.site_root))
        // The evaluation sheet as a plain form (before the bundle arrives);
        // the page itself is the GET of the same path, below.
        .route("/programs/{id}/students/{student}/evaluate/{code}", axum::routing::post(no_script::sign_evaluation))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        // The not-found page renders the app too: its header asks who is
        // signed in, through the service layer, which needs the context.
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context.clone(), shell))
        // A refused plain form post (no script yet) is answered with its
        // page again; inside the session lookup, which that page needs.
        .layer(axum::middleware::from_fn_with_state(state.clone(), no_script::show_refused_form))
        // Inside the CSRF check: a refused cross-site request never reaches
        // the input check or the session lookup; bad input never reaches
        // the session lookup.
        .layer(axum::middleware::from_fn_with_state(sessions, session_layer::attach_session))
        .layer(axum::middleware::from_fn_with_state(input_guard::InputLimits::default(), input_guard::check_input))
        .layer(axum::middleware::from_fn_with_state(site.clone(), csrf::refuse_cross_site))
        // A signed-in page is compressed on every request: deflate is
        // zlib-rs (see server/Cargo.toml), 1.8 times the throughput of
        // miniz_oxide at the same level and size (level 3 gained 12 % more
        // for 4 % more bytes; phones on clinic Wi-Fi get the smaller page).
        .layer(CompressionLayer::new())
        // Outside compression: a cached page is compressed once.
        .layer(axum::middleware::from_fn_with_state(
            page_cache::PageCache::new(vec!["/modules"]),
            page_cache::serve_cached,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(axum::middleware::from_fn(warn_page_without_policy))
        // Pages set their own policy with the response's script nonce
        // (`app::app::content_security_policy`); everything else (CSV,
        // JSON, health) runs no script at all.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, hsts_value(site.https)))
        // Spans name the method and the path only: query strings carry
        // one-time link tokens, and must not reach a log at any level.
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state);
    Ok(router)
}

/// No page of Checkoff uses these browser features; none may be asked for.
const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), \
     gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(self), \
     screen-wake-lock=(), usb=(), xr-spatial-tracking=()";

/// A page that leaves without its own script policy gets the fallback
/// below, which blocks its bundle: it never hydrates. Seen once in a
/// Chromium run (the sign-in link page), cause not found; logged so the
/// next occurrence names the page.
async fn warn_page_without_policy(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html && !response.headers().contains_key(header::CONTENT_SECURITY_POLICY) {
        tracing::warn!(path, status = %response.status(), "a page left without its script policy");
    }
    response
}

/// HSTS only for an https site (on plain http browsers ignore it, and it
/// would only confuse). A missing value makes `if_not_present` add nothing.
fn hsts_value(https: bool) -> Option<HeaderValue> {
    https.then(|| HeaderValue::from_static("max-age=31536000"))
}

fn request_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
}

/// The browser bundle. `make` writes Brotli and gzip copies next to each
/// file (`.ci/precompress.mjs`); a browser that accepts them gets the
/// smaller one as is, and nothing is compressed per request. Without the
/// copies (a development build) the compression layer gzips as before.
fn bundle_files(site_root: &std::path::Path) -> ServeDir {
    ServeDir::new(site_root.join("pkg")).precompressed_br().precompressed_gzip()
}

/// Figures of the skill modules, from `content/modules/images` only (never the
/// module files: they hold the knowledge checks' answers). Cached for a day;
/// `Last-Modified` lets browsers revalidate cheaply after that.
fn module_images(content_dir: &std::path::Path) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(content_dir.join("modules").join("images")))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=86400"),
        ))
        // An SVG opened directly runs in our origin: forbid scripts in it
        // (check-content also rejects scripted SVG).
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
        ))
}
