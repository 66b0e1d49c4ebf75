//! `server`: runs Checkoff and its maintenance commands. See `server --help`.

use std::process::ExitCode;

use app::storage::{Db, instance};
use clap::{Args, CommandFactory, FromArgMatches};
use server::config::{Cli, Command, Config, FrameworkCommand, LogFormat};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    // A missing .env is normal; a malformed one is worth knowing about.
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("error: .env: {e}");
        return ExitCode::FAILURE;
    }
    let (cli, seed_args) = parse_cli();
    if let Err(e) = init_tracing(&cli.config) {
        eprintln!("error: LOG_LEVEL: {e}");
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        if let Some(args) = seed_args {
            return seed(&cli.config, &args).await;
        }
        match cli.command.unwrap_or(Command::Serve { demo: false }) {
            Command::Serve { demo } => serve(&cli.config, demo).await,
            Command::Migrate => migrate(&cli.config).await,
            Command::CreateAdmin { email, name } => create_admin(&cli.config, &email, &name).await,
            Command::CheckContent => check_content(&cli.config),
            Command::VerifySignoffs { checkpoints } => verify_signoffs(&cli.config, checkpoints.as_deref()).await,
            Command::Framework(FrameworkCommand::Export { edition }) => {
                framework_export(&cli.config, edition.as_deref())
            }
            Command::Framework(FrameworkCommand::Import { file, edition, name, publisher, version, out }) => {
                let info = app::domain::edition::EditionInfo { id: edition, name, publisher, version };
                framework_import(&cli.config, &file, &info, out)
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, naming what to fix.
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

// `server seed`: a development tool, so it is added to the commands of `Cli`
// here (see `parse_cli`) rather than listed among them in `config.rs`.
#[derive(Debug, Args)]
#[command(
    about = "Fill the database with a synthetic program (cohorts, sign-offs, hours) for load tests and benchmarks",
    long_about = "Fill the database (DATABASE_URL) with a synthetic program for load tests and the dashboard \
                  benchmark: cohorts of students, instructors, preceptors, clinic sites, placements, about ten \
                  evaluations per student per competency attempted (some failed, some voided) and a season of \
                  externship hours. Synthetic people only (\"Student 0001\", addresses under example.org). \
                  Refuses a database that already has programs unless --force-new-program."
)]
struct SeedArgs {
    /// Students to create, in cohorts of --cohort-size (the older half of
    /// the cohorts on externship).
    #[arg(long)]
    students: usize,
    /// Competencies to evaluate: the catalog's signed-off competencies,
    /// then synthetic ones (SYN.P.n) up to this number.
    #[arg(long, default_value_t = 100)]
    competencies: usize,
    /// Seed of the generator: the same seed, shape and day give the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Students per cohort.
    #[arg(long, default_value_t = server::seed::DEFAULT_COHORT_SIZE)]
    cohort_size: usize,
    /// Add the synthetic program to a database that already has programs
    /// (refused otherwise).
    #[arg(long)]
    force_new_program: bool,
}

/// Parses the command line: the commands of [`Cli`], plus `seed`.
fn parse_cli() -> (Cli, Option<SeedArgs>) {
    let seed = SeedArgs::augment_args(clap::Command::new("seed"));
    let matches = Cli::command().subcommand(seed).get_matches();
    let parsed = match matches.subcommand() {
        Some(("seed", sub)) => SeedArgs::from_arg_matches(sub).and_then(|args| {
            Config::from_arg_matches(&matches).map(|config| (Cli { command: None, config }, Some(args)))
        }),
        _ => Cli::from_arg_matches(&matches).map(|cli| (cli, None)),
    };
    parsed.unwrap_or_else(|e| e.format(&mut Cli::command()).exit())
}

fn init_tracing(config: &Config) -> Result<(), String> {
    let filter = EnvFilter::try_new(&config.log_level).map_err(|e| e.to_string())?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    }
    .map_err(|e| e.to_string())
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn open_database(config: &Config) -> Result<Db, BoxError> {
    let url = config.database_url()?;
    tracing::info!(database = %url.display(), "opening database");
    let db = Db::connect(&url, &config.pool_config()).await?;
    db.migrate().await?;
    instance::ensure(&db, chrono::Utc::now()).await?;
    Ok(db)
}

async fn migrate(config: &Config) -> Result<(), BoxError> {
    let db = open_database(config).await?;
    let version = db.latest_known_migration().unwrap_or(0);
    println!("database is at migration {version} ({})", db.engine().as_str());
    db.close().await;
    Ok(())
}

async fn create_admin(config: &Config, email: &str, name: &str) -> Result<(), BoxError> {
    let db = open_database(config).await?;
    let link = server::demo::create_admin(&db, &config.site_url, email, name, chrono::Utc::now()).await?;
    println!("{} is a site administrator.", email.trim().to_lowercase());
    println!("Sign in within 24 hours with this one-time link, then set a password and turn on two-step sign-in:");
    println!("{link}");
    db.close().await;
    Ok(())
}

/// Loads the content tree or returns every problem in it, one per line.
fn load_content(config: &Config) -> Result<app::content::Catalog, BoxError> {
    app::content::load(&config.content_dir).map_err(|errors| {
        let count = errors.0.len();
        format!(
            "CONTENT_DIR: {count} problem{} in {}:\n{errors}",
            if count == 1 { "" } else { "s" },
            config.content_dir.display()
        )
        .into()
    })
}

fn check_content(config: &Config) -> Result<(), BoxError> {
    let catalog = load_content(config)?;
    for w in catalog.warnings() {
        println!("warning: {w}");
    }
    // Where single-choice keys were written: the page shuffles them per
    // attempt, but a bank written with the key mostly second is a smell.
    for m in catalog.modules() {
        let keys = &m.authored_key_positions;
        let most = keys.iter().copied().max().unwrap_or(0);
        let shares: Vec<String> = (1..=most.max(4))
            .map(|p| {
                format!(
                    "{p}: {}%",
                    (keys.iter().filter(|&&k| k == p).count() * 100).checked_div(keys.len()).unwrap_or(0)
                )
            })
            .collect();
        println!(
            "module {}: {} questions ({} per attempt); single-choice keys written at position {}",
            m.summary.slug,
            m.questions.len(),
            m.questions_per_attempt.unwrap_or(m.questions.len()),
            shares.join(", ")
        );
    }
    let questions: usize = catalog.modules().iter().map(|m| m.questions.len()).sum();
    let editions: Vec<String> =
        catalog.editions().iter().map(|e| format!("{} ({} competencies)", e.id(), e.competencies.len())).collect();
    println!(
        "content OK: {} modules, {questions} questions, editions: {}; {} warning(s)",
        catalog.modules().len(),
        editions.join(", "),
        catalog.warnings().len()
    );
    Ok(())
}

async fn verify_signoffs(config: &Config, checkpoint_file: Option<&std::path::Path>) -> Result<(), BoxError> {
    let db = open_database(config).await?;
    let checkpoint_failures = match checkpoint_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
            let v = server::checkpoints::verify_file(&db, &text).await?;
            for f in &v.failures {
                println!("CHECKPOINT BROKEN: {f}");
            }
            println!("{} checkpoint(s) checked against the database, {} broken", v.checked, v.failures.len());
            v.failures.into_iter().map(|f| f.to_string()).collect()
        }
        None => Vec::new(),
    };
    let mut total = 0;
    let mut broken = Vec::new();
    for program in app::storage::signoffs::chained_programs(&db).await? {
        match app::storage::signoffs::verify_program(&db, program).await? {
            Ok(n) => {
                println!("program {program}: {n} sign-off records verified");
                total += n;
            }
            Err(e) => {
                println!("program {program}: BROKEN: {e}");
                broken.push(e.to_string());
            }
        }
        // The dashboard's tallies are derived from the records: recount.
        let mismatches = app::storage::dashboard::verify_tallies(&db, program).await?;
        for m in mismatches.iter().take(20) {
            println!("program {program}: TALLY: {m}");
        }
        if let Some(first) = mismatches.first() {
            broken.push(format!(
                "program {program}: {} tally row(s) disagree with the records; first: {first}",
                mismatches.len()
            ));
        } else {
            println!("program {program}: dashboard tallies match the records");
        }
    }
    db.close().await;
    // Checkpoints first: a rewrite that re-hashed the chain passes the
    // chain check, and only the checkpoint names it.
    let broken: Vec<String> = checkpoint_failures.into_iter().chain(broken).collect();
    if broken.is_empty() {
        println!("all sign-off chains and dashboard tallies verify ({total} records)");
        Ok(())
    } else {
        Err(format!("{} check(s) failed; first: {}", broken.len(), broken[0]).into())
    }
}

async fn seed(config: &Config, args: &SeedArgs) -> Result<(), BoxError> {
    let catalog = server::seed::extended_catalog(&config.content_dir, args.competencies)?;
    let db = open_database(config).await?;
    let options = server::seed::SeedOptions {
        students: args.students,
        competencies: args.competencies,
        seed: args.seed,
        cohort_size: args.cohort_size,
        force_new_program: args.force_new_program,
        progress: true,
    };
    let report = server::seed::run(&db, &catalog, &options, chrono::Utc::now()).await;
    db.close().await;
    let report = report?;
    println!("{}", report.describe());
    if report.synthetic_competencies > 0 {
        println!(
            "note: the {} synthetic competencies ({}*) are not in CONTENT_DIR; the server's pages show the catalog's own {}",
            report.synthetic_competencies,
            server::seed::SYNTHETIC_PREFIX,
            report.competencies - report.synthetic_competencies
        );
    }
    Ok(())
}

fn framework_export(config: &Config, edition: Option<&str>) -> Result<(), BoxError> {
    let catalog = load_content(config)?;
    let edition = match edition {
        Some(id) => {
            catalog.edition(id).ok_or_else(|| format!("no edition '{id}' in {}", config.content_dir.display()))?
        }
        None => catalog.default_edition(),
    };
    print!("{}", app::content::framework::to_csv(&edition.competencies)?);
    Ok(())
}

fn framework_import(
    config: &Config,
    file: &std::path::Path,
    info: &app::domain::edition::EditionInfo,
    out: Option<std::path::PathBuf>,
) -> Result<(), BoxError> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
    let modules_dir = config.content_dir.join("modules");
    let exists = |slug: &str| modules_dir.join(format!("{slug}.md")).is_file();
    let competencies = app::content::framework::from_csv(&text, &exists).map_err(|problems| {
        let lines: Vec<String> =
            problems.iter().map(|p| format!("{}:{}: {}", file.display(), p.line, p.message)).collect();
        format!("{} problem(s); nothing was written:\n{}", problems.len(), lines.join("\n"))
    })?;
    let out = out.unwrap_or_else(|| config.content_dir.join("competencies").join(format!("{}.toml", info.id)));
    std::fs::write(&out, app::content::framework::to_toml(info, &competencies))
        .map_err(|e| format!("{}: cannot write: {e}", out.display()))?;
    println!(
        "wrote {} competencies to {}; run check-content to validate the modules against it",
        competencies.len(),
        out.display()
    );
    Ok(())
}

async fn serve(config: &Config, demo: bool) -> Result<(), BoxError> {
    // Content first: a bad tree stops start-up before anything is served.
    let started = std::time::Instant::now();
    let catalog = std::sync::Arc::new(load_content(config)?);
    tracing::info!(
        modules = catalog.modules().len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "content loaded"
    );
    let db = open_database(config).await?;
    if demo {
        let accounts = server::demo::prepare(&db, &catalog, chrono::Utc::now()).await?;
        println!("{}", server::demo::describe(&accounts, &config.site_url));
    }
    let signer =
        std::sync::Arc::new(server::checkpoints::Signer::open(&config.checkpoint_config(), chrono::Utc::now())?);
    tracing::info!(key_id = %signer.key_id(), file = %config.checkpoint_config().file.display(), "sign-off checkpoints are signed");
    let interval = std::time::Duration::from_secs(60 * u64::from(config.checkpoint_interval_minutes.max(1)));
    tokio::spawn(server::checkpoints::run_periodically(signer.clone(), db.clone(), interval));
    let app = server::router_with(config, db.clone(), catalog, Some(signer))?;
    let auth = config.auth_settings()?;
    if auth.secure_cookies && config.mailer()?.is_outbox() {
        // Outbox mail holds working sign-in links; in production mail must leave the server.
        tracing::warn!(
            "SITE_URL is https but SMTP_URL is not set: mail (with sign-in links) stays in the in-app outbox"
        );
    }
    tokio::spawn(prune_periodically(db.clone(), auth));
    let listener = tokio::net::TcpListener::bind(config.listen_addr)
        .await
        .map_err(|e| format!("LISTEN_ADDR: cannot listen on {}: {e}", config.listen_addr))?;
    let url = format!("http://{}", config.listen_addr);
    tracing::info!(%url, engine = db.engine().as_str(), "Checkoff is listening");
    println!("Checkoff is running at {url}");
    // Hands handlers the client's address (sign-in throttling, the audit
    // log), times out slow request headers, drains on SIGTERM.
    server::serve::serve(listener, app, server::serve::ServeLimits::default(), shutdown_signal()).await;
    db.close().await;
    Ok(())
}

/// Removes sessions that can no longer be used and sign-in failures too old
/// to count, hourly. (Expired sessions are refused whether or not they are
/// removed; this keeps the tables small.)
async fn prune_periodically(db: Db, auth: app::auth::AuthSettings) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let now = chrono::Utc::now();
        let sessions = app::storage::sessions::prune(&db, now - auth.idle_timeout, now - auth.absolute_timeout).await;
        let failures = app::storage::sign_in_failures::prune(&db, now - chrono::Duration::days(1)).await;
        let mail_requests = app::storage::mail_requests::prune(&db, now - chrono::Duration::days(1)).await;
        match (sessions, failures, mail_requests) {
            (Ok(s), Ok(f), Ok(m)) => tracing::debug!(sessions = s, failures = f, mail_requests = m, "pruned"),
            (s, f, m) => {
                tracing::warn!(sessions = ?s.err(), failures = ?f.err(), mail_requests = ?m.err(), "pruning failed")
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
