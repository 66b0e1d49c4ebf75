//! Module progress storage, on both engines. (Accounts do not exist yet: the
//! student ids here are what the accounts table will hand out.)

use crate::common;
use app::domain::ids::UserId;

use app::domain::quiz::QuizResult;
use app::storage::Db;
use app::storage::progress;
use chrono::{Duration, TimeZone, Utc};

both_engines!(
    reading_progress_never_goes_down,
    attempts_are_all_kept_and_summarised,
    students_see_only_their_own_progress
);

fn result(correct: usize, total: usize, mastery: u8) -> QuizResult {
    let score = (correct * 100 / total) as u8;
    QuizResult { questions: vec![], correct, total, score_percent: score, mastered: score >= mastery }
}

async fn reading_progress_never_goes_down(db: &Db) {
    let t0 = Utc.with_ymd_and_hms(2026, 9, 1, 14, 0, 0).unwrap();
    progress::record_reading(db, UserId(7), "venipuncture", 40, t0).await.unwrap();
    progress::record_reading(db, UserId(7), "venipuncture", 10, t0 + Duration::minutes(5)).await.unwrap();
    let p = progress::for_student(db, UserId(7)).await.unwrap();
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].opened, p[0].read_percent, p[0].attempts, p[0].mastered), (true, 40, 0, false));
    progress::record_reading(db, UserId(7), "venipuncture", 100, t0 + Duration::minutes(9)).await.unwrap();
    assert_eq!(progress::for_student(db, UserId(7)).await.unwrap()[0].read_percent, 100);
}

async fn attempts_are_all_kept_and_summarised(db: &Db) {
    let t0 = Utc.with_ymd_and_hms(2026, 9, 2, 9, 0, 0).unwrap();
    let a1 = common::record_attempt(db, UserId(3), "order-of-draw", 1, &result(6, 10, 80), t0).await;
    let a2 =
        common::record_attempt(db, UserId(3), "order-of-draw", 2, &result(9, 10, 80), t0 + Duration::minutes(3)).await;
    assert_ne!(a1, a2);
    let p = progress::for_student(db, UserId(3)).await.unwrap();
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].attempts, p[0].best_score, p[0].mastered, p[0].opened), (2, Some(90), true, false));
    let history = progress::attempts(db, UserId(3), "order-of-draw").await.unwrap();
    assert_eq!(history.iter().map(|a| a.score_percent).collect::<Vec<_>>(), vec![90, 60], "newest first");
    assert_eq!(history[1].submitted_at, t0);
    assert_eq!(history[0].answers, "[]");
}

async fn students_see_only_their_own_progress(db: &Db) {
    let now = Utc::now();
    progress::record_reading(db, UserId(1), "vital-signs", 50, now).await.unwrap();
    common::record_attempt(db, UserId(2), "injections", 1, &result(1, 10, 80), now).await;
    let one = progress::for_student(db, UserId(1)).await.unwrap();
    assert_eq!(one.iter().map(|p| p.module_slug.as_str()).collect::<Vec<_>>(), vec!["vital-signs"]);
    assert!(progress::attempts(db, UserId(1), "injections").await.unwrap().is_empty());
    assert!(progress::for_student(db, UserId(99)).await.unwrap().is_empty());
}
