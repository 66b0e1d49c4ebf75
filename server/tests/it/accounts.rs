//! Accounts on both engines: sessions (rotation, expiry, sign-out), one-time
//! links (reuse, expiry), throttling, two-step sign-in, password reset,
//! invitations and roster import. Flows are called as server functions call
//! them, with the clock passed in so expiry is tested without waiting.

use crate::common;
use app::domain::ids::UserId;

use app::auth::RequestAuth;
use app::auth::crypto;
use app::auth::flows::{self, AuthError, Env};
use app::auth::mail::Mailer;
use app::auth::session::{AuthSettings, resolve};
use app::domain::access::Role;
use app::domain::totp::TotpSecret;
use app::storage::users::NewUser;
use app::storage::{Db, audit, outbox, programs, sessions, users};
use chrono::{DateTime, Duration, Utc};

fn settings() -> AuthSettings {
    AuthSettings::new("http://127.0.0.1:3000", false)
}

fn env<'a>(db: &'a Db, settings: &'a AuthSettings, mailer: &'a Mailer, now: DateTime<Utc>) -> Env<'a> {
    Env { db, settings, mailer, now }
}

fn visitor(ip: &str) -> RequestAuth {
    RequestAuth { ip: ip.into(), ..RequestAuth::default() }
}

async fn user_with_password(db: &Db, email: &str, password: &str) -> UserId {
    let hash = crypto::hash_password(password).unwrap();
    users::create(
        db,
        &NewUser { email, display_name: "Test Person", password_hash: Some(&hash), site_admin: false },
        Utc::now(),
    )
    .await
    .unwrap()
}

/// Whom a session secret signs in at `now`, if anyone.
async fn who(db: &Db, s: &AuthSettings, secret: &str, now: DateTime<Utc>) -> Option<UserId> {
    resolve(db, s, Some(secret), now).await.unwrap().signed_in.map(|x| x.user.id)
}

/// The token in the newest mail to `to`.
async fn token_in_mail(db: &Db, to: &str) -> String {
    let mail = outbox::latest_to(db, to).await.unwrap().expect("a mail was written to the outbox");
    let at = mail.body_text.find("token=").expect("the mail holds a link") + "token=".len();
    mail.body_text[at..].chars().take_while(char::is_ascii_hexdigit).collect()
}

async fn sessions_rotate_at_sign_in_and_end_at_sign_out(db: &Db) {
    let (s, m, now) = (settings(), Mailer::Outbox, Utc::now());
    let id = user_with_password(db, "ana@example.org", "correct horse battery").await;
    let e = env(db, &s, &m, now);

    let first = flows::sign_in_with_password(&e, &visitor("10.0.0.1"), "Ana@Example.org ", "correct horse battery")
        .await
        .unwrap();
    assert_eq!(who(db, &s, &first.secret, now).await, Some(id), "e-mail is matched case-insensitively");

    // Signing in again from a browser that carries the first cookie replaces it.
    let mut carrying = visitor("10.0.0.1");
    carrying.presented = Some(crypto::hash_secret(&first.secret));
    let second = flows::sign_in_with_password(&e, &carrying, "ana@example.org", "correct horse battery").await.unwrap();
    assert_ne!(first.secret, second.secret);
    assert_eq!(who(db, &s, &first.secret, now).await, None, "the old session id is dead after rotation");
    assert_eq!(who(db, &s, &second.secret, now).await, Some(id));

    // Sign-out deletes the session on the server: the copied cookie is useless.
    let auth = resolve(db, &s, Some(&second.secret), now).await.unwrap();
    flows::sign_out(&e, &auth).await.unwrap();
    assert_eq!(who(db, &s, &second.secret, now).await, None);
    assert!(sessions::find(db, &crypto::hash_secret(&second.secret)).await.unwrap().is_none());
    assert!(audit::count_kind(db, "signed_out").await.unwrap() >= 1);
}

async fn sessions_expire_when_idle_and_at_their_absolute_limit(db: &Db) {
    let (s, m, t0) = (settings(), Mailer::Outbox, Utc::now());
    let id = user_with_password(db, "ben@example.org", "correct horse battery").await;
    let issued = flows::sign_in_with_password(
        &env(db, &s, &m, t0),
        &visitor("10.0.0.2"),
        "ben@example.org",
        "correct horse battery",
    )
    .await
    .unwrap();
    // Used every hour, it lives until the absolute limit…
    let mut t = t0;
    while t + Duration::hours(1) < t0 + s.absolute_timeout {
        t += Duration::hours(1);
        assert_eq!(who(db, &s, &issued.secret, t).await, Some(id), "active at {t}");
    }
    // …and not a minute past it, however active.
    assert_eq!(who(db, &s, &issued.secret, t0 + s.absolute_timeout + Duration::minutes(1)).await, None);

    let idle = flows::sign_in_with_password(
        &env(db, &s, &m, t0),
        &visitor("10.0.0.2"),
        "ben@example.org",
        "correct horse battery",
    )
    .await
    .unwrap();
    assert_eq!(who(db, &s, &idle.secret, t0 + s.idle_timeout + Duration::minutes(1)).await, None, "idle too long");
    assert!(
        sessions::find(db, &crypto::hash_secret(&idle.secret)).await.unwrap().is_none(),
        "expired sessions are removed"
    );
}

async fn sign_in_links_work_once_and_expire(db: &Db) {
    let (s, m, now) = (settings(), Mailer::Outbox, Utc::now());
    let e = env(db, &s, &m, now);
    let id = users::create(
        db,
        &NewUser { email: "pat@clinic.example", display_name: "Pat Preceptor", password_hash: None, site_admin: false },
        now,
    )
    .await
    .unwrap();

    flows::request_sign_in_link(&e, &visitor("10.0.0.3"), "pat@clinic.example").await.unwrap();
    let token = token_in_mail(db, "pat@clinic.example").await;
    assert_eq!(flows::peek_link(&e, &token).await.unwrap().id, id, "looking does not use the link");
    let issued = flows::redeem_link(&e, &visitor("10.0.0.3"), &token).await.unwrap();
    assert_eq!(who(db, &s, &issued.secret, now).await, Some(id));
    assert!(
        matches!(flows::redeem_link(&e, &visitor("10.0.0.3"), &token).await, Err(AuthError::LinkUsed)),
        "reuse refused"
    );

    flows::request_sign_in_link(&e, &visitor("10.0.0.3"), "pat@clinic.example").await.unwrap();
    let late = token_in_mail(db, "pat@clinic.example").await;
    let later = env(db, &s, &m, now + flows::SIGN_IN_LINK_LIFETIME + Duration::seconds(1));
    assert!(matches!(flows::redeem_link(&later, &visitor("10.0.0.3"), &late).await, Err(AuthError::LinkExpired)));
    assert!(matches!(flows::redeem_link(&e, &visitor("10.0.0.3"), &"0".repeat(64)).await, Err(AuthError::LinkUnknown)));

    // Only hashes are stored: the token itself appears nowhere in the table.
    let stored =
        db.execute_unchecked(&format!("DELETE FROM one_time_token WHERE token_hash = '{late}'")).await.unwrap();
    assert_eq!(stored, 0);

    // Unknown addresses get the same answer and no mail.
    flows::request_sign_in_link(&e, &visitor("10.0.0.3"), "nobody@clinic.example").await.unwrap();
    assert!(outbox::latest_to(db, "nobody@clinic.example").await.unwrap().is_none());
}

async fn failed_sign_ins_are_slowed_then_refused_then_forgiven(db: &Db) {
    let (s, m, t0) = (settings(), Mailer::Outbox, Utc::now());
    user_with_password(db, "cam@example.org", "correct horse battery").await;
    let at = |t| env(db, &s, &m, t);
    for i in 0..3 {
        let r = flows::sign_in_with_password(
            &at(t0 + Duration::seconds(i)),
            &visitor("10.0.0.4"),
            "cam@example.org",
            "wrong",
        )
        .await;
        assert!(matches!(r, Err(AuthError::InvalidCredentials)), "attempt {i}: {r:?}");
    }
    // The fourth attempt comes too soon: refused even with the right password.
    let r = flows::sign_in_with_password(
        &at(t0 + Duration::seconds(3)),
        &visitor("10.0.0.4"),
        "cam@example.org",
        "correct horse battery",
    )
    .await;
    let Err(AuthError::Throttled { retry_after_secs }) = r else { panic!("expected throttling, got {r:?}") };
    assert!((1..=300).contains(&retry_after_secs), "{retry_after_secs}");
    // Once the wait is over the real user gets in, and their count is cleared.
    let r = flows::sign_in_with_password(
        &at(t0 + Duration::minutes(5)),
        &visitor("10.0.0.4"),
        "cam@example.org",
        "correct horse battery",
    )
    .await;
    assert!(r.is_ok(), "{r:?}");
    assert!(audit::count_kind(db, "sign_in_failed").await.unwrap() >= 3);

    // One address trying many accounts is refused for a while.
    for i in 0..30 {
        let _ = flows::sign_in_with_password(
            &at(t0 + Duration::seconds(i)),
            &visitor("10.9.9.9"),
            &format!("u{i}@example.org"),
            "x",
        )
        .await;
    }
    let r = flows::sign_in_with_password(
        &at(t0 + Duration::seconds(31)),
        &visitor("10.9.9.9"),
        "cam@example.org",
        "correct horse battery",
    )
    .await;
    assert!(matches!(r, Err(AuthError::Throttled { .. })), "{r:?}");
    // Another address is unaffected.
    let r = flows::sign_in_with_password(
        &at(t0 + Duration::minutes(6)),
        &visitor("10.0.0.5"),
        "cam@example.org",
        "correct horse battery",
    )
    .await;
    assert!(r.is_ok(), "{r:?}");
}

async fn two_step_sign_in_needs_a_fresh_code_or_a_recovery_code(db: &Db) {
    let (s, m, now) = (settings(), Mailer::Outbox, Utc::now());
    let id = user_with_password(db, "dee@example.org", "correct horse battery").await;
    let e = env(db, &s, &m, now);
    let first = flows::sign_in_with_password(&e, &visitor("10.0.0.6"), "dee@example.org", "correct horse battery")
        .await
        .unwrap();
    let auth = resolve(db, &s, Some(&first.secret), now).await.unwrap();

    let setup = flows::begin_totp(&e, &auth).await.unwrap();
    let secret = TotpSecret::from_base32(&setup.secret_base32).unwrap();
    let right: u32 = secret.code_at(now.timestamp()).parse().unwrap();
    let wrong = format!("{:06}", (right + 500_000) % 1_000_000);
    assert!(matches!(flows::confirm_totp(&e, &auth, &wrong).await, Err(AuthError::Field { field: "code", .. })));
    let codes = flows::confirm_totp(&e, &auth, &secret.code_at(now.timestamp())).await.unwrap();
    assert_eq!(codes.len(), flows::RECOVERY_CODES);

    // The password alone now leads only to the second step.
    let later = now + Duration::seconds(90);
    let e2 = env(db, &s, &m, later);
    let pending = flows::sign_in_with_password(&e2, &visitor("10.0.0.6"), "dee@example.org", "correct horse battery")
        .await
        .unwrap();
    assert!(pending.second_factor_needed);
    let pending_auth = resolve(db, &s, Some(&pending.secret), later).await.unwrap();
    assert!(pending_auth.signed_in.is_none(), "a session owing its second factor grants nothing");
    let code = secret.code_at(later.timestamp());
    let done = flows::verify_second_factor(&e2, &pending_auth, &code).await.unwrap();
    assert_eq!(who(db, &s, &done.secret, later).await, Some(id));
    assert_eq!(who(db, &s, &pending.secret, later).await, None, "rotated again after the second factor");

    // The same code cannot be used twice.
    let again = flows::sign_in_with_password(&e2, &visitor("10.0.0.6"), "dee@example.org", "correct horse battery")
        .await
        .unwrap();
    let again_auth = resolve(db, &s, Some(&again.secret), later).await.unwrap();
    assert!(matches!(flows::verify_second_factor(&e2, &again_auth, &code).await, Err(AuthError::InvalidCode)));
    // A recovery code works once, typed however.
    let typed = codes[0].to_lowercase().replace('-', " ");
    assert!(flows::verify_second_factor(&e2, &again_auth, &typed).await.is_ok());
    let third = flows::sign_in_with_password(&e2, &visitor("10.0.0.6"), "dee@example.org", "correct horse battery")
        .await
        .unwrap();
    let third_auth = resolve(db, &s, Some(&third.secret), later).await.unwrap();
    assert!(matches!(flows::verify_second_factor(&e2, &third_auth, &codes[0]).await, Err(AuthError::InvalidCode)));
}

async fn a_password_reset_ends_every_other_session(db: &Db) {
    let (s, m, now) = (settings(), Mailer::Outbox, Utc::now());
    let id = user_with_password(db, "eli@example.org", "correct horse battery").await;
    let e = env(db, &s, &m, now);
    let old = flows::sign_in_with_password(&e, &visitor("10.0.0.7"), "eli@example.org", "correct horse battery")
        .await
        .unwrap();
    flows::request_password_reset(&e, &visitor("10.0.0.8"), "eli@example.org").await.unwrap();
    let token = token_in_mail(db, "eli@example.org").await;
    assert!(matches!(
        flows::reset_password(&e, &visitor("10.0.0.8"), &token, "short").await,
        Err(AuthError::Field { field: "password", .. })
    ));
    let new = flows::reset_password(&e, &visitor("10.0.0.8"), &token, "a much better passphrase").await.unwrap();
    assert_eq!(who(db, &s, &old.secret, now).await, None, "the old session ended");
    assert_eq!(who(db, &s, &new.secret, now).await, Some(id));
    assert!(matches!(
        flows::reset_password(&e, &visitor("10.0.0.8"), &token, "another passphrase").await,
        Err(AuthError::LinkUsed)
    ));
    assert!(
        flows::sign_in_with_password(&e, &visitor("10.0.0.8"), "eli@example.org", "a much better passphrase")
            .await
            .is_ok()
    );
}

async fn an_invited_preceptor_signs_in_from_the_mail(db: &Db) {
    let (s, m, now) = (settings(), Mailer::Outbox, Utc::now());
    let cast = common::cast(db).await;
    let e = env(db, &s, &m, now);
    let director =
        resolve(db, &s, Some(common::session_cookie(db, cast.director_a).await.split('=').nth(1).unwrap()), now)
            .await
            .unwrap();
    let err =
        flows::invite(&e, &director, cast.program_a, "not-an-email", "Nia Nurse", Role::Preceptor).await.unwrap_err();
    assert!(matches!(err, AuthError::Field { field: "email", .. }), "{err:?}");
    let id =
        flows::invite(&e, &director, cast.program_a, "Nia@Clinic.example", "Nia Nurse", Role::Preceptor).await.unwrap();
    let token = token_in_mail(db, "nia@clinic.example").await;
    let issued = flows::redeem_link(&e, &visitor("10.0.0.9"), &token).await.unwrap();
    let auth = resolve(db, &s, Some(&issued.secret), now).await.unwrap();
    let me = auth.signed_in.unwrap();
    assert_eq!(me.user.id, id);
    assert!(me.principal.has_role(cast.program_a, Role::Preceptor));
    assert!(me.user.password_hash.is_none(), "preceptors need no password");
    assert!(audit::count_kind(db, "invitation_sent").await.unwrap() == 1);
    assert!(audit::count_kind(db, "role_granted").await.unwrap() >= 1);
}

async fn a_roster_with_bad_rows_imports_nothing(db: &Db) {
    use app::domain::roster::parse_roster;
    let cast = common::cast(db).await;
    let now = Utc::now();
    let bad = "name,email,student id\nAna Diaz,ana@a.example,S1\nBo,not-an-email,S2\nCy,cy@a.example,\nAna Again,ana@a.example,S4\n";
    let problems = parse_roster(bad).unwrap_err();
    let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![3, 4, 5], "{problems:?}");

    // Valid on its face but clashing with a stored student id: rolled back whole.
    let first = parse_roster("name,email,student id\nAna Diaz,ana@a.example,S1\n").unwrap();
    programs::import_roster(db, cast.program_a, "Fall", &first, no_offers(now), cast.director_a, now)
        .await
        .unwrap()
        .unwrap();
    let before = programs::members(db, cast.program_a).await.unwrap().len();
    let clash = parse_roster("name,email,student id\nNew One,new1@a.example,N1\nNew Two,new2@a.example,S1\n").unwrap();
    let conflicts = programs::import_roster(db, cast.program_a, "Fall", &clash, no_offers(now), cast.director_a, now)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(conflicts.iter().map(|c| c.line).collect::<Vec<_>>(), vec![3]);
    assert_eq!(programs::members(db, cast.program_a).await.unwrap().len(), before, "nothing half-imported");
    assert!(users::find_by_email(db, "new1@a.example").await.unwrap().is_none(), "no account left behind");

    // A good roster imports, and importing it again changes nothing.
    let good = parse_roster("Student ID,Name,E-mail\nN1,New One,new1@a.example\nN2,New Two,new2@a.example\n").unwrap();
    let outcome = programs::import_roster(db, cast.program_a, "Fall", &good, no_offers(now), cast.director_a, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((outcome.students_added, outcome.accounts_created), (2, 2));
    let again = programs::import_roster(db, cast.program_a, "Fall", &good, no_offers(now), cast.director_a, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.students_added, again.already_enrolled), (0, 2));
}

/// Demo mode gives every role an account whose printed password works, and
/// leaves a database that already has programs alone.
async fn demo_mode_seeds_every_role_with_working_passwords(db: &Db) {
    let (s, m, now) = (settings(), Mailer::Outbox, Utc::now());
    let demo = server::demo::prepare(db, &common::catalog(), now).await.unwrap();
    for label in ["administrator", "program director", "instructor", "preceptor", "student"] {
        assert!(demo.accounts.iter().any(|a| a.label == label), "no demo {label}");
    }
    let director = demo.accounts.iter().find(|a| a.label == "program director").unwrap();
    let e = env(db, &s, &m, now);
    let issued =
        flows::sign_in_with_password(&e, &visitor("10.1.0.1"), &director.email, &director.password).await.unwrap();
    let me = resolve(db, &s, Some(&issued.secret), now).await.unwrap().signed_in.unwrap();
    assert_eq!(me.principal.memberships.len(), 1);
    let printed = server::demo::describe(&demo, "http://127.0.0.1:3000");
    assert!(printed.contains(&director.password) && printed.contains("never enter real"), "{printed}");

    // A second start seeds nothing more and issues new passwords.
    let again = server::demo::prepare(db, &common::catalog(), now).await.unwrap();
    assert_eq!(programs::list_programs(db).await.unwrap().len(), 1);
    // The demo's check-offs form one verified chain, and were not seeded twice.
    let program = programs::list_programs(db).await.unwrap()[0].id;
    assert_eq!(app::storage::signoffs::verify_program(db, program).await.unwrap(), Ok(8));
    let old = flows::sign_in_with_password(&e, &visitor("10.1.0.2"), &director.email, &director.password).await;
    assert!(matches!(old, Err(AuthError::InvalidCredentials)), "{old:?}");
    assert_eq!(again.accounts.len(), demo.accounts.len());
}

async fn demo_mode_never_seeds_among_real_programs(db: &Db) {
    programs::create_program(db, "A real program", "checkoff-starter", None, Utc::now()).await.unwrap();
    let demo = server::demo::prepare(db, &common::catalog(), Utc::now()).await.unwrap();
    assert!(demo.accounts.is_empty());
    assert_eq!(programs::list_programs(db).await.unwrap().len(), 1);
}

/// The hourly clean-up removes only sessions that can no longer be used.
async fn pruning_removes_only_dead_sessions(db: &Db) {
    let (s, m, t0) = (settings(), Mailer::Outbox, Utc::now());
    user_with_password(db, "fay@example.org", "correct horse battery").await;
    let mut secrets = Vec::new();
    for t in [t0 - Duration::hours(3), t0] {
        let e = env(db, &s, &m, t);
        secrets.push(
            flows::sign_in_with_password(&e, &visitor("10.2.0.1"), "fay@example.org", "correct horse battery")
                .await
                .unwrap()
                .secret,
        );
    }
    let (old, live) = (&secrets[0], &secrets[1]);
    let removed = sessions::prune(db, t0 - s.idle_timeout, t0 - s.absolute_timeout).await.unwrap();
    assert_eq!(removed, 1);
    assert!(sessions::find(db, &crypto::hash_secret(old)).await.unwrap().is_none());
    assert!(sessions::find(db, &crypto::hash_secret(live)).await.unwrap().is_some());
}

both_engines!(
    pruning_removes_only_dead_sessions,
    demo_mode_seeds_every_role_with_working_passwords,
    demo_mode_never_seeds_among_real_programs,
    sessions_rotate_at_sign_in_and_end_at_sign_out,
    sessions_expire_when_idle_and_at_their_absolute_limit,
    sign_in_links_work_once_and_expire,
    failed_sign_ins_are_slowed_then_refused_then_forgiven,
    two_step_sign_in_needs_a_fresh_code_or_a_recovery_code,
    a_password_reset_ends_every_other_session,
    an_invited_preceptor_signs_in_from_the_mail,
    a_roster_with_bad_rows_imports_nothing,
);

fn no_offers(now: chrono::DateTime<chrono::Utc>) -> programs::OfferTerms<'static> {
    programs::OfferTerms { tokens: &[], expires: now }
}
