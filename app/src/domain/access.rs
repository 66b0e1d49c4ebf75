//! Access policy: the one place that answers "may this person do this to
//! that?". Every server function and route asks [`decide`]; nothing is
//! allowed by hiding a button. Pure: the caller loads the facts (who is
//! signed in, their role memberships, which students are placed with a
//! preceptor) and this module decides.
//!
//! Rules, in the words of the product:
//! - Students see only their own records.
//! - Preceptors see only the students placed with them.
//! - Instructors and directors act only within their own programs.
//! - A site administrator administers the site (programs, first directors),
//!   but is not thereby an evaluator of anyone.
//! - Nobody evaluates themselves.

use serde::{Deserialize, Serialize};

use super::competency::Setting;

pub use super::ids::{ProgramId, UserId};

/// A role held in one program. One person can hold different roles in
/// different programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Student,
    Instructor,
    Preceptor,
    Director,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Student, Role::Instructor, Role::Preceptor, Role::Director];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Instructor => "instructor",
            Role::Preceptor => "preceptor",
            Role::Director => "director",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The signed-in person and the facts the policy needs about them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Principal {
    pub user_id: UserId,
    pub site_admin: bool,
    pub memberships: Vec<(ProgramId, Role)>,
    /// Students currently placed with this person as preceptor, by program.
    pub placed_students: Vec<(ProgramId, UserId)>,
}

impl Principal {
    pub fn has_role(&self, program: ProgramId, role: Role) -> bool {
        self.memberships.contains(&(program, role))
    }

    fn is_staff(&self, program: ProgramId) -> bool {
        self.has_role(program, Role::Instructor) || self.has_role(program, Role::Director)
    }

    fn precepts(&self, program: ProgramId, student: UserId) -> bool {
        self.has_role(program, Role::Preceptor) && self.placed_students.contains(&(program, student))
    }
}

/// Something a person may try to do. New server functions add a variant
/// here, and the exhaustive `match` in [`decide`] makes the policy say
/// something about it before the code compiles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Read skill modules and take knowledge checks (public).
    ReadModules,
    /// Ask which engine and schema the server runs (public; no records).
    CheckServerStatus,
    /// Sign in, ask for or use a one-time link, reset a forgotten password
    /// (public: these establish who someone is).
    SignIn,
    /// Read or store one's own module progress (students).
    OwnProgress,
    /// Look after one's own account: password, two-step sign-in, sign-out,
    /// one's own home page (a preceptor's placed students are filtered by
    /// the query itself).
    OwnAccount,
    /// See a student's competency record, attempts and hours.
    ViewStudentRecord { program: ProgramId, student: UserId },
    /// Evaluate (check off) a student on a competency, in a setting: the
    /// program's instructors in the campus lab, the student's own preceptor
    /// at the externship.
    EvaluateStudent { program: ProgramId, student: UserId, setting: Setting },
    /// Record a correction voiding a sign-off: the program's instructors and
    /// directors, or the person who signed it while still its evaluator.
    CorrectSignoff { program: ProgramId, student: UserId, signed_by: UserId },
    /// Ask one's preceptor for a sign-off (students of the program).
    RequestSignoff { program: ProgramId },
    /// See every student's standing on the program's competencies (lab
    /// session lists): the program's instructors and directors.
    ViewProgramCompetencies { program: ProgramId },
    /// Set the program's own requirement per competency (directors).
    ManageRequirements { program: ProgramId },
    /// Set up the externship: clinic sites and placements (the program's
    /// directors and instructors).
    ManagePlacements { program: ProgramId },
    /// Log one's own externship hours and evaluate one's own site (the
    /// student themselves).
    OwnExternship { program: ProgramId, student: UserId },
    /// Approve or return a student's hours, and write their
    /// end-of-externship evaluation: the student's own preceptors.
    VerifyHours { program: ProgramId, student: UserId },
    /// Correct approved hours (void and replace): the program's instructors
    /// and directors, or the student's preceptor.
    CorrectHours { program: ProgramId, student: UserId },
    /// The cohort dashboard, at-risk list, accreditation summary and the
    /// end-of-externship evaluations of a program (its directors).
    ViewProgramReports { program: ProgramId },
    /// Manage a program's people: invitations, rosters, cohorts.
    ManageProgramPeople { program: ProgramId },
    /// Read a program's security audit log.
    ReadProgramAudit { program: ProgramId },
    /// Create programs, appoint their first directors, read the site audit log
    /// and the development mail outbox.
    AdministerSite,
}

/// The policy's answer, with the reason a refusal is logged under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Not signed in: the user is asked to sign in.
    NeedsSignIn,
    /// Signed in but not allowed.
    Deny(&'static str),
}

impl Decision {
    pub fn allowed(self) -> bool {
        self == Decision::Allow
    }
}

fn allow_if(condition: bool, reason: &'static str) -> Decision {
    if condition { Decision::Allow } else { Decision::Deny(reason) }
}

pub fn decide(who: Option<&Principal>, action: &Action) -> Decision {
    if matches!(action, Action::ReadModules | Action::CheckServerStatus | Action::SignIn) {
        return Decision::Allow;
    }
    let Some(p) = who else {
        return Decision::NeedsSignIn;
    };
    match *action {
        Action::ReadModules | Action::CheckServerStatus | Action::SignIn => Decision::Allow,
        Action::OwnProgress => {
            allow_if(p.memberships.iter().any(|(_, r)| *r == Role::Student), "only students keep module progress")
        }
        Action::OwnAccount => Decision::Allow,
        Action::ViewStudentRecord { program, student } => allow_if(
            (p.user_id == student && p.has_role(program, Role::Student))
                || p.is_staff(program)
                || p.precepts(program, student),
            "not this student's record",
        ),
        Action::EvaluateStudent { program, student, setting } => {
            if p.user_id == student {
                return Decision::Deny("nobody evaluates themselves");
            }
            match setting {
                Setting::Lab => allow_if(
                    p.has_role(program, Role::Instructor),
                    "only the program's instructors evaluate in the lab",
                ),
                Setting::Externship => allow_if(
                    p.precepts(program, student),
                    "only the student's own preceptor evaluates at the externship",
                ),
            }
        }
        Action::CorrectSignoff { program, student, signed_by } => {
            if p.user_id == student {
                return Decision::Deny("nobody corrects their own record");
            }
            allow_if(
                p.is_staff(program) || (p.user_id == signed_by && p.precepts(program, student)),
                "not allowed to correct this record",
            )
        }
        Action::RequestSignoff { program } => {
            allow_if(p.has_role(program, Role::Student), "only the program's students ask for sign-offs")
        }
        Action::ViewProgramCompetencies { program } => allow_if(p.is_staff(program), "not staff of this program"),
        Action::ManageRequirements { program } => {
            allow_if(p.has_role(program, Role::Director), "not a director of this program")
        }
        Action::ManagePlacements { program } => allow_if(p.is_staff(program), "not staff of this program"),
        Action::OwnExternship { program, student } => allow_if(
            p.user_id == student && p.has_role(program, Role::Student),
            "only the student logs their own hours",
        ),
        Action::VerifyHours { program, student } => {
            if p.user_id == student {
                return Decision::Deny("nobody verifies their own hours");
            }
            allow_if(p.precepts(program, student), "only the student's own preceptor verifies hours")
        }
        Action::CorrectHours { program, student } => {
            if p.user_id == student {
                return Decision::Deny("nobody corrects their own hours");
            }
            allow_if(p.is_staff(program) || p.precepts(program, student), "not allowed to correct these hours")
        }
        Action::ViewProgramReports { program } => {
            allow_if(p.has_role(program, Role::Director), "not a director of this program")
        }
        Action::ManageProgramPeople { program } | Action::ReadProgramAudit { program } => {
            allow_if(p.has_role(program, Role::Director) || p.site_admin, "not a director of this program")
        }
        Action::AdministerSite => allow_if(p.site_admin, "not a site administrator"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P1: ProgramId = ProgramId(1);
    const P2: ProgramId = ProgramId(2);

    fn person(id: UserId, roles: &[(ProgramId, Role)]) -> Principal {
        Principal { user_id: id, memberships: roles.to_vec(), ..Principal::default() }
    }

    #[test]
    fn modules_are_public_and_everything_else_needs_sign_in() {
        assert_eq!(decide(None, &Action::ReadModules), Decision::Allow);
        for action in [
            Action::OwnProgress,
            Action::OwnAccount,
            Action::ViewStudentRecord { program: P1, student: UserId(5) },
            Action::EvaluateStudent { program: P1, student: UserId(5), setting: Setting::Lab },
            Action::ManageProgramPeople { program: P1 },
            Action::ReadProgramAudit { program: P1 },
            Action::AdministerSite,
        ] {
            assert_eq!(decide(None, &action), Decision::NeedsSignIn, "{action:?}");
        }
    }

    #[test]
    fn externship_hours_belong_to_the_student_and_their_preceptors() {
        let student = person(UserId(5), &[(P1, Role::Student)]);
        let mut pr = person(UserId(9), &[(P1, Role::Preceptor)]);
        pr.placed_students = vec![(P1, UserId(5))];
        let instructor = person(UserId(3), &[(P1, Role::Instructor)]);
        let director = person(UserId(2), &[(P1, Role::Director)]);
        let own = Action::OwnExternship { program: P1, student: UserId(5) };
        let verify = Action::VerifyHours { program: P1, student: UserId(5) };
        let correct = Action::CorrectHours { program: P1, student: UserId(5) };
        let reports = Action::ViewProgramReports { program: P1 };
        assert!(decide(Some(&student), &own).allowed());
        assert!(!decide(Some(&student), &Action::OwnExternship { program: P1, student: UserId(6) }).allowed());
        assert!(!decide(Some(&student), &verify).allowed(), "nobody approves their own hours");
        assert!(!decide(Some(&student), &correct).allowed());
        assert!(decide(Some(&pr), &verify).allowed());
        assert!(!decide(Some(&pr), &Action::VerifyHours { program: P1, student: UserId(6) }).allowed());
        assert!(decide(Some(&pr), &correct).allowed());
        assert!(!decide(Some(&pr), &own).allowed());
        assert!(
            !decide(Some(&instructor), &verify).allowed(),
            "the preceptor saw the hours worked; staff correct, they do not approve"
        );
        assert!(decide(Some(&instructor), &correct).allowed());
        assert!(decide(Some(&instructor), &Action::ManagePlacements { program: P1 }).allowed());
        assert!(!decide(Some(&instructor), &reports).allowed());
        assert!(decide(Some(&director), &reports).allowed());
        assert!(!decide(Some(&director), &Action::ViewProgramReports { program: P2 }).allowed());
        assert!(!decide(Some(&pr), &Action::ManagePlacements { program: P1 }).allowed());
        assert_eq!(decide(None, &reports), Decision::NeedsSignIn);
    }

    #[test]
    fn students_see_only_their_own_record() {
        let s = person(UserId(5), &[(P1, Role::Student)]);
        assert!(decide(Some(&s), &Action::ViewStudentRecord { program: P1, student: UserId(5) }).allowed());
        assert!(!decide(Some(&s), &Action::ViewStudentRecord { program: P1, student: UserId(6) }).allowed());
        assert!(
            !decide(Some(&s), &Action::EvaluateStudent { program: P1, student: UserId(6), setting: Setting::Lab })
                .allowed()
        );
        assert!(decide(Some(&s), &Action::RequestSignoff { program: P1 }).allowed());
        assert!(!decide(Some(&s), &Action::RequestSignoff { program: P2 }).allowed());
        assert!(!decide(Some(&s), &Action::ManageProgramPeople { program: P1 }).allowed());
        assert!(decide(Some(&s), &Action::OwnProgress).allowed());
        assert!(!decide(Some(&person(UserId(3), &[(P1, Role::Instructor)])), &Action::OwnProgress).allowed());
    }

    #[test]
    fn preceptors_reach_only_students_placed_with_them() {
        let mut pr = person(UserId(9), &[(P1, Role::Preceptor)]);
        pr.placed_students = vec![(P1, UserId(5))];
        assert!(decide(Some(&pr), &Action::ViewStudentRecord { program: P1, student: UserId(5) }).allowed());
        assert!(
            decide(
                Some(&pr),
                &Action::EvaluateStudent { program: P1, student: UserId(5), setting: Setting::Externship }
            )
            .allowed()
        );
        assert!(
            !decide(Some(&pr), &Action::EvaluateStudent { program: P1, student: UserId(5), setting: Setting::Lab })
                .allowed(),
            "a preceptor signs off at the externship, not in the school's lab"
        );
        assert!(
            !decide(
                Some(&pr),
                &Action::EvaluateStudent { program: P1, student: UserId(6), setting: Setting::Externship }
            )
            .allowed()
        );
        assert!(
            decide(Some(&pr), &Action::CorrectSignoff { program: P1, student: UserId(5), signed_by: UserId(9) })
                .allowed()
        );
        assert!(
            !decide(Some(&pr), &Action::CorrectSignoff { program: P1, student: UserId(5), signed_by: UserId(3) })
                .allowed()
        );
        assert!(!decide(Some(&pr), &Action::ViewProgramCompetencies { program: P1 }).allowed());
        assert!(!decide(Some(&pr), &Action::ViewStudentRecord { program: P1, student: UserId(6) }).allowed());
        assert!(
            !decide(
                Some(&pr),
                &Action::EvaluateStudent { program: P2, student: UserId(5), setting: Setting::Externship }
            )
            .allowed()
        );
        assert!(!decide(Some(&pr), &Action::ManageProgramPeople { program: P1 }).allowed());
    }

    #[test]
    fn instructors_and_directors_act_only_in_their_program() {
        let i = person(UserId(3), &[(P1, Role::Instructor)]);
        let d = person(UserId(4), &[(P1, Role::Director)]);
        assert!(
            decide(Some(&i), &Action::EvaluateStudent { program: P1, student: UserId(5), setting: Setting::Lab })
                .allowed()
        );
        assert!(
            !decide(
                Some(&i),
                &Action::EvaluateStudent { program: P1, student: UserId(5), setting: Setting::Externship }
            )
            .allowed()
        );
        assert!(
            !decide(Some(&i), &Action::EvaluateStudent { program: P2, student: UserId(5), setting: Setting::Lab })
                .allowed()
        );
        assert!(
            decide(Some(&i), &Action::CorrectSignoff { program: P1, student: UserId(5), signed_by: UserId(99) })
                .allowed()
        );
        assert!(decide(Some(&i), &Action::ViewProgramCompetencies { program: P1 }).allowed());
        assert!(!decide(Some(&i), &Action::ManageRequirements { program: P1 }).allowed());
        assert!(decide(Some(&d), &Action::ManageRequirements { program: P1 }).allowed());
        assert!(!decide(Some(&d), &Action::ManageRequirements { program: P2 }).allowed());
        assert!(!decide(Some(&i), &Action::ManageProgramPeople { program: P1 }).allowed());
        assert!(decide(Some(&d), &Action::ManageProgramPeople { program: P1 }).allowed());
        assert!(decide(Some(&d), &Action::ViewStudentRecord { program: P1, student: UserId(5) }).allowed());
        assert!(!decide(Some(&d), &Action::ViewStudentRecord { program: P2, student: UserId(5) }).allowed());
        assert!(
            !decide(Some(&d), &Action::EvaluateStudent { program: P1, student: UserId(5), setting: Setting::Lab })
                .allowed(),
            "directors do not check off by role alone"
        );
    }

    #[test]
    fn nobody_evaluates_themselves_whatever_their_roles() {
        let both = person(UserId(5), &[(P1, Role::Student), (P1, Role::Instructor)]);
        assert_eq!(
            decide(Some(&both), &Action::EvaluateStudent { program: P1, student: UserId(5), setting: Setting::Lab }),
            Decision::Deny("nobody evaluates themselves")
        );
        assert!(
            !decide(Some(&both), &Action::CorrectSignoff { program: P1, student: UserId(5), signed_by: UserId(3) })
                .allowed()
        );
    }

    #[test]
    fn a_site_admin_administers_but_does_not_evaluate() {
        let a = Principal { user_id: UserId(1), site_admin: true, ..Principal::default() };
        assert!(decide(Some(&a), &Action::AdministerSite).allowed());
        assert!(
            !decide(Some(&a), &Action::EvaluateStudent { program: P1, student: UserId(5), setting: Setting::Lab })
                .allowed()
        );
        assert!(
            !decide(Some(&a), &Action::CorrectSignoff { program: P1, student: UserId(5), signed_by: UserId(3) })
                .allowed()
        );
        assert!(!decide(Some(&person(UserId(2), &[(P1, Role::Director)])), &Action::AdministerSite).allowed());
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
