//! Demo data for `serve --demo` and the first administrator for
//! `create-admin`.
//!
//! Demo mode seeds a fresh database once (a fictional program, cohort,
//! staff, preceptors and students; never real people or patients) and, at
//! every start, gives the demo accounts new passwords that it prints, so the
//! passwords exist only in that terminal. `DEMO_PASSWORD` and
//! `DEMO_TOTP_SECRET` fix them instead (the browser tests use this).

use app::auth::crypto;
use app::content::Catalog;
use app::domain::access::Role;
use app::domain::competency::Setting;
use app::domain::evaluation::{StepMark, Submission};
use app::domain::totp::TotpSecret;
use app::service::signoffs::{Evaluation, new_evaluation};
use app::storage::tokens::Purpose;
use app::storage::users::NewUser;
use app::storage::{Db, StorageError, audit, externship, instance, programs, progress, signoffs, tokens, users};
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Crypto(#[from] crypto::CryptoError),
    #[error("DEMO_TOTP_SECRET: {0}")]
    BadTotpSecret(String),
    #[error("--email: '{0}' is not an e-mail address")]
    BadEmail(String),
    #[error("--name must not be empty")]
    EmptyName,
    #[error("the demo data names no director")]
    NoDirector,
}

pub const PROGRAM: &str = "Lakeside Community College · Medical Assisting (demo)";
pub const DOMAIN: &str = "lakeside.example";

/// (role label, name, local part of the e-mail, program role; None = site admin)
const PEOPLE: &[(&str, &str, &str, Option<Role>)] = &[
    ("administrator", "Avery Admin", "admin", None),
    ("program director", "Dana Director", "director", Some(Role::Director)),
    ("instructor", "Ivan Instructor", "instructor", Some(Role::Instructor)),
    ("preceptor", "Priya Preceptor", "preceptor", Some(Role::Preceptor)),
    ("preceptor", "Paulo Preceptor", "preceptor2", Some(Role::Preceptor)),
    ("student", "Sam Student", "student", Some(Role::Student)),
    ("student", "Riley Rivera", "riley", Some(Role::Student)),
    ("student", "Jordan Lee", "jordan", Some(Role::Student)),
    ("student", "Morgan Chen", "morgan", Some(Role::Student)),
    ("student", "Casey Okafor", "casey", Some(Role::Student)),
];

pub struct DemoAccount {
    pub label: &'static str,
    pub name: &'static str,
    pub email: String,
    pub password: String,
}

pub struct DemoAccounts {
    pub accounts: Vec<DemoAccount>,
    pub admin_totp: TotpSecret,
}

fn email(local: &str) -> String {
    format!("{local}@{DOMAIN}")
}

/// Seeds the demo data once, then sets this start's passwords.
pub async fn prepare(db: &Db, catalog: &Catalog, now: DateTime<Utc>) -> Result<DemoAccounts, DemoError> {
    let admin_totp = match std::env::var("DEMO_TOTP_SECRET") {
        Ok(s) if !s.trim().is_empty() => {
            TotpSecret::from_base32(&s).map_err(|e| DemoError::BadTotpSecret(e.to_string()))?
        }
        _ => TotpSecret::from_bytes(crypto::random_bytes::<20>()?.to_vec()),
    };
    // Demo data goes only into a database without programs or demo people
    // (never among real records). A database marked as demo by an earlier
    // version, before accounts existed, is seeded now.
    instance::claim_demo_seed(db, now).await?;
    let empty =
        programs::list_programs(db).await?.is_empty() && users::find_by_email(db, &email("admin")).await?.is_none();
    if empty {
        match seed(db, catalog, now).await {
            Ok(()) => tracing::info!("demo data loaded"),
            // Another server starting on the same database seeded it first.
            Err(DemoError::Storage(StorageError::Unique(_))) => {}
            Err(e) => return Err(e),
        }
    }
    let fixed = std::env::var("DEMO_PASSWORD").ok().filter(|p| !p.trim().is_empty());
    let mut accounts = Vec::new();
    for (label, name, local, _) in PEOPLE {
        let address = email(local);
        let Some(user) = users::find_by_email(db, &address).await? else { continue };
        let password = match &fixed {
            Some(p) => p.clone(),
            None => crypto::new_recovery_code()?.to_lowercase(),
        };
        users::set_password(db, user.id, &crypto::hash_password(&password)?).await?;
        if user.site_admin {
            users::disable_totp(db, user.id).await?;
            users::set_pending_totp(db, user.id, &admin_totp.to_base32()).await?;
            users::enable_totp(db, user.id, 0, now).await?;
        }
        accounts.push(DemoAccount { label, name, email: address, password });
    }
    Ok(DemoAccounts { accounts, admin_totp })
}

async fn seed(db: &Db, catalog: &Catalog, now: DateTime<Utc>) -> Result<(), DemoError> {
    let edition = catalog.default_edition().clone();
    let program = programs::create_program(db, PROGRAM, edition.id(), None, now).await?;
    let mut ids = Vec::new();
    for (_, name, local, role) in PEOPLE {
        let address = email(local);
        if *role == Some(Role::Student) {
            // Students come from the roster below, which creates their
            // accounts (an account that already existed would only be asked).
            continue;
        }
        let id = users::create(
            db,
            &NewUser { email: &address, display_name: name, password_hash: None, site_admin: role.is_none() },
            now,
        )
        .await?;
        if let Some(role) = role
            && *role != Role::Student
        {
            programs::grant_role(db, id, program, *role, None, now).await?;
        }
        ids.push((local, id));
    }
    let roster: Vec<app::domain::roster::RosterRow> = PEOPLE
        .iter()
        .filter(|(_, _, _, r)| *r == Some(Role::Student))
        .enumerate()
        .map(|(i, (_, name, local, _))| app::domain::roster::RosterRow {
            line: i as u64 + 2,
            name: name.to_string(),
            email: email(local),
            student_number: format!("MA-26{:03}", i + 1),
        })
        .collect();
    // PEOPLE names a director: the demo program is set up in their name.
    let director = ids.iter().find(|(l, _)| **l == "director").map(|(_, id)| *id).ok_or(DemoError::NoDirector)?;
    if let Err(conflicts) = programs::import_roster(
        db,
        program,
        "Fall 2026",
        &roster,
        programs::OfferTerms { tokens: &[], expires: now },
        director,
        now,
    )
    .await?
    {
        tracing::warn!(?conflicts, "demo roster did not import");
    }
    for row in &roster {
        if let Some(user) = users::find_by_email(db, &row.email).await?
            && let Some((_, _, local, _)) = PEOPLE.iter().find(|(_, _, l, _)| email(l) == row.email)
        {
            ids.push((local, user.id));
        }
    }
    let id_of = |local: &str| ids.iter().find(|(l, _)| **l == local).map(|(_, id)| *id);
    let mut site_ids = Vec::new();
    for (name, address, contact) in [
        ("Harbor Family Medicine (demo)", "100 Harbor Way, Springfield", "Office manager (demo)"),
        ("Northside Pediatrics (demo)", "12 North Street, Springfield", "Clinic lead (demo)"),
    ] {
        let site = externship::NewSite {
            name: name.into(),
            address: address.into(),
            contact_name: contact.into(),
            ..Default::default()
        };
        site_ids.push(externship::create_site(db, program, &site, director, now).await?);
    }
    // Placements a few weeks in, so the director's dashboard, the at-risk
    // list and the preceptor's verification list show real content: Sam on
    // pace, Riley behind (two days a week), Jordan and Casey two weeks in
    // with nothing logged yet (the browser tests log their week).
    let today = now.date_naive();
    for (student, preceptor, site, weeks_in, days_a_week) in [
        ("student", "preceptor", 0, 3, 5),
        ("riley", "preceptor", 0, 3, 2),
        ("jordan", "preceptor", 1, 2, 0),
        ("casey", "preceptor", 1, 2, 0),
    ] {
        if let (Some(s), Some(p), Some(site_id)) = (id_of(student), id_of(preceptor), site_ids.get(site).copied()) {
            let start = app::domain::hours::week_of(today) - Duration::weeks(weeks_in);
            let placement = externship::NewPlacement {
                program,
                student: s,
                site_id,
                preceptors: vec![p],
                start,
                end: start + Duration::weeks(6) - Duration::days(3),
                required_hours: None,
            };
            let placement_id = externship::create_placement(db, &placement, director, now).await?;
            let preceptor_name = PEOPLE.iter().find(|x| x.2 == preceptor).map(|x| x.1).unwrap_or_default();
            let decider = externship::Decider {
                id: p,
                name: preceptor_name.into(),
                role: "preceptor".into(),
                ip: None,
                user_agent: Some("demo data".into()),
            };
            demo_hours(db, placement_id, &placement, &decider, days_a_week, now).await?;
        }
    }
    if let Some(sam) = id_of("student") {
        progress::record_reading(db, sam, "hand-hygiene-ppe", 100, now).await?;
        progress::record_reading(db, sam, "vital-signs", 40, now).await?;
    }
    // A few weeks of check-offs, so records, the lab list and the Master
    // Competency Checklist show something real. `None` marks every step.
    let name_of = |local: &str| PEOPLE.iter().find(|p| p.2 == local).map(|p| p.1).unwrap_or_default();
    // (evaluator, student, competency, setting, step missed, days ago)
    type Session = (&'static str, &'static str, &'static str, Setting, Option<usize>, i64);
    let sessions: &[Session] = &[
        ("instructor", "student", "III.P.3", Setting::Lab, None, 20),
        ("instructor", "student", "I.P.1.a", Setting::Lab, Some(4), 18),
        ("instructor", "student", "I.P.1.a", Setting::Lab, None, 16),
        ("preceptor", "student", "I.P.1.c", Setting::Externship, None, 3),
        ("instructor", "riley", "III.P.3", Setting::Lab, None, 20),
        ("instructor", "riley", "I.P.2.b", Setting::Lab, None, 12),
        ("instructor", "jordan", "I.P.2.b", Setting::Lab, Some(1), 12),
        ("instructor", "jordan", "III.P.3", Setting::Lab, None, 19),
    ];
    for (evaluator, student, code, setting, missed, days_ago) in sessions {
        let (Some(c), Some(e), Some(s)) = (edition.competency(code), id_of(evaluator), id_of(student)) else {
            continue;
        };
        let marks = (0..c.steps.len()).map(|i| StepMark { met: Some(i) != *missed, comment: String::new() }).collect();
        let comment = if missed.is_some() { "Review the step marked, then try again." } else { "" };
        let submission = Submission { marks, comment: comment.into(), attested: true };
        let evaluation = Evaluation {
            program_id: program,
            edition: edition.id(),
            student: (s, name_of(student)),
            evaluator: (e, name_of(evaluator)),
            setting: *setting,
            request_id: None,
            at: now - Duration::days(*days_ago),
            ip: None,
            user_agent: Some("demo data".into()),
        };
        match new_evaluation(c, evaluation, &submission) {
            Ok((record, _)) => {
                signoffs::append(db, &record).await?;
            }
            Err(e) => tracing::warn!(%e, code, "demo sign-off skipped"),
        }
    }
    Ok(())
}

/// Weekday shifts from the placement's start to yesterday; everything
/// before this week is approved, this week's wait for the preceptor.
async fn demo_hours(
    db: &Db,
    placement_id: i64,
    placement: &externship::NewPlacement,
    preceptor: &externship::Decider,
    days_a_week: u32,
    now: DateTime<Utc>,
) -> Result<(), DemoError> {
    use app::domain::hours::{HoursDraft, Span, week_of};
    use chrono::{Datelike, NaiveTime};
    let today = now.date_naive();
    let (Some(start), Some(end)) = (NaiveTime::from_hms_opt(8, 0, 0), NaiveTime::from_hms_opt(16, 0, 0)) else {
        return Ok(());
    };
    let mut approve = Vec::new();
    let mut day = placement.start;
    while day < today && day <= placement.end {
        if day.weekday().num_days_from_monday() < days_a_week {
            let new = externship::NewHours {
                program: placement.program,
                placement: placement_id,
                student: placement.student,
                draft: HoursDraft {
                    date: day,
                    span: Span::Times { start, end },
                    activities: "Rooming patients, vital signs, EHR documentation (demo)".into(),
                },
                placement_dates: app::domain::hours::PlacementDates { start: placement.start, end: placement.end },
                today,
                competency_codes: "I.P.1.a".into(),
            };
            if let Ok(id) = externship::log_hours(db, &new, now).await?
                && week_of(day) < week_of(today)
            {
                approve.push(id);
            }
        }
        day += Duration::days(1);
    }
    externship::decide(db, &approve, externship::Decision::Approve, None, preceptor, now).await?;
    Ok(())
}

/// What demo mode prints at start-up.
pub fn describe(d: &DemoAccounts, site_url: &str) -> String {
    let mut out = String::from(
        "Demo mode: sample data only; never enter real student or patient information.\n\
         Demo accounts (passwords are new at every start):\n",
    );
    for a in &d.accounts {
        out.push_str(&format!("  {:<17} {:<28} {}\n", a.label, a.email, a.password));
    }
    out.push_str(&format!(
        "The administrator also needs a code from an authenticator app with this key: {}\n  ({})\n\
         Mail is not sent in demo mode: the administrator reads it at {site_url}/admin/outbox\n",
        d.admin_totp.to_base32(),
        d.admin_totp.otpauth_uri("Checkoff demo", &email("admin")),
    ));
    out
}

/// Makes `email` a site administrator (creating the account if new) and
/// returns a one-time sign-in link valid for 24 hours.
pub async fn create_admin(
    db: &Db,
    site_url: &str,
    email: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<String, DemoError> {
    let email = email.trim().to_lowercase();
    if !app::domain::roster::is_plausible_email(&email) {
        return Err(DemoError::BadEmail(email));
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(DemoError::EmptyName);
    }
    let id = match users::find_by_email(db, &email).await? {
        Some(u) => u.id,
        None => {
            users::create(
                db,
                &NewUser { email: &email, display_name: name, password_hash: None, site_admin: true },
                now,
            )
            .await?
        }
    };
    users::set_site_admin(db, id, true).await?;
    let token = crypto::new_secret()?;
    tokens::issue(db, &crypto::hash_secret(&token), Purpose::Invitation, id, now, now + Duration::hours(24)).await?;
    audit::record(
        db,
        &audit::Event {
            kind: "admin_created",
            subject: Some(id),
            email: Some(&email),
            detail: "server create-admin",
            ..Default::default()
        },
        now,
    )
    .await?;
    Ok(format!("{}/sign-in/link?token={token}", site_url.trim_end_matches('/')))
}
