//! The validator catches each class of error with the right file and line,
//! and rendering produces safe, structured HTML.

use std::path::{Path, PathBuf};

use super::*;

const FRAMEWORK: &str = r#"
[edition]
id = "framework"
name = "Test framework"
publisher = "Tests"
version = "1"

[[competency]]
code = "I.P.2.b"
title = "Perform venipuncture"
domain = "psychomotor"
steps = [{ text = "Identify the patient", critical = true }, "Apply the tourniquet"]

[[competency]]
code = "A.2"
title = "Reassure patients"
domain = "affective"
behaviours = ["Explains each step"]
"#;

const QUIZ: &str =
    "```quiz\nid: q1\ntype: single\nquestion: Pick one?\n- [ ] no\n- [x] yes\nexplanation: Because.\n```\n";

fn module(front_extra: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"Venipuncture\"\nsummary = \"Draw blood.\"\narea = \"Phlebotomy\"\nminutes = 30\norder = 1\ncompetencies = [\"I.P.2.b\"]\nobjectives = [\"Identify the patient.\"]\n{front_extra}+++\n{body}"
    )
}

fn good_body() -> String {
    format!(
        "## Steps\n\n1. **Critical:** Identify the patient.\n2. Wash hands.\n\n{QUIZ}\n## References\n\n1. CLSI GP41.\n"
    )
}

fn check(files: &[(&str, String)]) -> Result<Catalog, ContentErrors> {
    let files: Vec<(PathBuf, String)> =
        files.iter().map(|(name, text)| (PathBuf::from(format!("content/modules/{name}")), text.clone())).collect();
    parse_tree(
        &[(PathBuf::from("content/competencies/framework.toml"), FRAMEWORK.to_string())],
        Path::new("content/modules"),
        &files,
        &|p: &Path| (!p.ends_with("images/arm.svg")).then(|| "missing image".to_string()),
    )
}

/// Asserts that checking `files` fails with an error at `file:line` whose
/// message contains `needle`.
fn expect_error(files: &[(&str, String)], file: &str, line: usize, needle: &str) {
    let errors = check(files).expect_err("content should be rejected").0;
    let hit = errors.iter().any(|e| {
        e.path == Path::new(&format!("content/modules/{file}")) && e.line == line && e.message.contains(needle)
    });
    let listing: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert!(hit, "expected {file}:{line}: …{needle}…, got:\n{}", listing.join("\n"));
}

#[test]
fn a_good_module_loads_and_renders() {
    let catalog = check(&[("venipuncture.md", module("", &good_body()))]).unwrap();
    let m = catalog.module("venipuncture").unwrap();
    assert_eq!(m.summary.title, "Venipuncture");
    assert_eq!(m.questions.len(), 1);
    assert_eq!(m.mastery_percent, 80);
    assert!(m.body_html.contains("<h2 id=\"steps\">Steps</h2>"), "{}", m.body_html);
    assert!(m.body_html.contains("<li class=\"step-critical\">"), "{}", m.body_html);
    assert!(!m.body_html.contains("Pick one?"), "quiz blocks are not part of the reading text");
    assert_eq!(m.toc.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), vec!["steps", "references"]);
    assert_eq!(m.version.len(), 64);
    assert!(m.matches("identify PATIENT"));
}

#[test]
fn missing_front_matter_is_reported_on_line_1() {
    expect_error(&[("a.md", good_body())], "a.md", 1, "missing front matter");
}

#[test]
fn bad_front_matter_names_its_line() {
    // Line 5 is `minutes = "thirty"`.
    let text = module("", &good_body()).replace("minutes = 30", "minutes = \"thirty\"");
    expect_error(&[("a.md", text)], "a.md", 5, "front matter");
    let text = module("colour = \"blue\"\n", &good_body());
    expect_error(&[("a.md", text)], "a.md", 9, "unknown field");
    let text = module("", &good_body()).replace("title = \"Venipuncture\"\n", "");
    expect_error(&[("a.md", text)], "a.md", 2, "missing field `title`");
}

#[test]
fn unclosed_front_matter_is_reported() {
    expect_error(&[("a.md", "+++\ntitle = \"x\"\n".to_string())], "a.md", 1, "not closed");
}

#[test]
fn unknown_competency_code_names_its_line() {
    let text = module("", &good_body()).replace("[\"I.P.2.b\"]", "[\"I.P.2.b\", \"IX.P.99\"]");
    expect_error(&[("a.md", text)], "a.md", 7, "unknown competency code 'IX.P.99'");
}

#[test]
fn broken_module_link_names_its_line() {
    // Front matter is lines 1-9; the body starts on line 10.
    let body = format!("## Intro\n\nSee [order](module:order-of-draw).\n\n{QUIZ}\n## References\n\n1. X\n");
    expect_error(&[("a.md", module("", &body))], "a.md", 12, "unknown module 'order-of-draw'");
    // And a link to an existing module is rewritten.
    let ok = check(&[("a.md", module("", &body)), ("order-of-draw.md", module("", &good_body()))]).unwrap();
    assert!(ok.module("a").unwrap().body_html.contains("href=\"/modules/order-of-draw\""));
}

#[test]
fn missing_image_and_missing_alt_name_their_lines() {
    let body = format!(
        "## Figures\n\n![Arm veins](images/nope.svg \"Veins\")\n\n![](images/arm.svg)\n\n{QUIZ}\n## References\n\n1. X\n"
    );
    let files = [("a.md", module("", &body))];
    expect_error(&files, "a.md", 12, "image 'images/nope.svg': missing image");
    expect_error(&files, "a.md", 14, "no alt text");
    let body = format!("## F\n\n![Up](../secret.md)\n\n{QUIZ}\n## References\n\n1. X\n");
    expect_error(&[("a.md", module("", &body))], "a.md", 12, "must be a file under images/");
}

#[test]
fn images_become_captioned_figures() {
    let body =
        format!("## Figures\n\n![Arm veins](images/arm.svg \"Veins of the arm\")\n\n{QUIZ}\n## References\n\n1. X\n");
    let c = check(&[("a.md", module("", &body))]).unwrap();
    let html = &c.module("a").unwrap().body_html;
    assert!(
        html.contains("<figure><img src=\"/module-images/arm.svg\" alt=\"Arm veins\" loading=\"lazy\"><figcaption>Veins of the arm</figcaption></figure>"),
        "{html}"
    );
}

#[test]
fn malformed_knowledge_check_names_its_line() {
    // The quiz block opens on line 12; its type line is line 14.
    let body = "## Intro\n\n```quiz\nid: q1\ntype: essay\nquestion: Why?\n- [ ] a\n- [x] b\nexplanation: E.\n```\n\n## References\n\n1. X\n";
    expect_error(&[("a.md", module("", body))], "a.md", 14, "type 'essay'");
}

#[test]
fn a_module_without_a_knowledge_check_is_rejected() {
    let body = "## Intro\n\nText.\n\n## References\n\n1. X\n";
    expect_error(&[("a.md", module("", body))], "a.md", 10, "no knowledge check");
}

#[test]
fn duplicate_question_ids_are_rejected() {
    let body = format!("## Intro\n\n{QUIZ}\n{QUIZ}\n## References\n\n1. X\n");
    expect_error(&[("a.md", module("", &body))], "a.md", 21, "duplicate question id 'q1'");
}

#[test]
fn duplicate_slugs_are_rejected() {
    expect_error(
        &[("venipuncture.md", module("", &good_body())), ("Venipuncture.md", module("", &good_body()))],
        "Venipuncture.md",
        1,
        "duplicate slug",
    );
}

#[test]
fn skipped_heading_levels_and_missing_references_are_rejected() {
    let body = format!("## A\n\n#### Too deep\n\n{QUIZ}\n");
    let files = [("a.md", module("", &body))];
    expect_error(&files, "a.md", 12, "skips from h2 to h4");
    expect_error(&files, "a.md", 23, "References");
}

#[test]
fn framework_errors_name_their_line() {
    let files: Vec<(PathBuf, String)> = vec![];
    let framework = format!("{FRAMEWORK}\n[[competency]]\ncode = \"A.2\"\ntitle = \"Again\"\ndomain = \"affective\"\n");
    let errors = parse_tree(&[(PathBuf::from("framework.toml"), framework)], Path::new("m"), &files, &|_: &Path| None)
        .unwrap_err();
    assert!(
        errors.0.iter().any(|e| e.line == 20 && e.message.contains("duplicate competency code A.2 (first on line 14)")),
        "{errors}"
    );
    let errors = parse_tree(&[(PathBuf::from("fw.toml"), "[edition]\nid = \"fw\"\nname = \"N\"\npublisher = \"P\"\nversion = \"1\"\n[[competency]]\ncode = \"x\"\ntitle = \"T\"\ndomain = \"feelings\"\n".to_string())], Path::new("m"), &files, &|_: &Path| None)
        .unwrap_err();
    assert!(errors.0.iter().any(|e| e.line == 6 && e.message.contains("domain 'feelings' must be")), "{errors}");
}

#[test]
fn scripts_and_handlers_never_reach_the_page() {
    let body = format!(
        "## Intro\n\n<script>alert('x')</script>\n\n<img src=\"x\" onerror=\"alert(1)\">\n\n[click](javascript:alert(1))\n\n<svg><script>alert(2)</script></svg>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n<p style=\"x\" onclick=\"alert(3)\">hi</p>\n\n{QUIZ}\n## References\n\n1. X\n"
    );
    let c = check(&[("a.md", module("", &body))]).unwrap();
    let html = c.module("a").unwrap().body_html.to_lowercase();
    for bad in ["<script", "onerror", "javascript:", "<svg", "<iframe", "onclick", "style="] {
        assert!(!html.contains(bad), "{bad} reached the page: {html}");
    }
}

#[test]
fn callouts_render_as_labelled_notes() {
    let body = format!("## Safety\n\n> [!WARNING]\n> Never recap a used needle.\n\n{QUIZ}\n## References\n\n1. X\n");
    let c = check(&[("a.md", module("", &body))]).unwrap();
    let html = &c.module("a").unwrap().body_html;
    assert!(
        html.contains("<div class=\"callout callout-warning\" role=\"note\"><p class=\"callout-title\">Warning</p>"),
        "{html}"
    );
    assert!(html.contains("Never recap a used needle."));
}

#[test]
fn errors_display_as_path_line_message() {
    let e = ContentError { path: "content/modules/a.md".into(), line: 7, message: "bad".into() };
    assert_eq!(e.to_string(), "content/modules/a.md:7: bad");
}

#[test]
fn competency_codes_have_the_accreditor_shape() {
    for ok in ["I.P.2.b", "III.C.10", "A.1", "X.P.1.a"] {
        assert!(is_competency_code(ok), "{ok}");
    }
    for bad in ["", "i.p.1", "I", "I..2", "I.P.2 b"] {
        assert!(!is_competency_code(bad), "{bad}");
    }
}

#[test]
fn the_repository_content_is_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
    match load(&dir) {
        Ok(c) => {
            assert!(!c.modules().is_empty());
            // Every signed-off competency has a checklist and is taught by a module.
            let venipuncture = c.competency("I.P.2.b").expect("venipuncture in the framework");
            assert!(venipuncture.steps.iter().filter(|s| s.critical).count() >= 3);
            assert!(venipuncture.modules.contains(&"venipuncture".to_string()));
            for comp in c.signed_off_competencies() {
                assert!(!comp.steps.is_empty(), "{} has no checklist", comp.code);
            }
        }
        Err(e) => panic!("content/ is invalid:\n{e}"),
    }
}

#[test]
fn scripted_svg_figures_are_rejected() {
    let dir = std::env::temp_dir().join(format!("checkoff-svg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let clean = dir.join("clean.svg");
    let bad = dir.join("bad.svg");
    std::fs::write(
        &clean,
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>T</title><rect width=\"1\" height=\"1\"/></svg>",
    )
    .unwrap();
    std::fs::write(&bad, "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect onload=\"alert(1)\"/></svg>").unwrap();
    assert_eq!(check_image_file(&clean), None);
    assert!(check_image_file(&bad).unwrap().contains("script"));
    assert!(check_image_file(&dir.join("none.svg")).unwrap().contains("missing"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn tables_scroll_in_a_keyboard_reachable_region() {
    let body = format!(
        "## Tubes\n\n| Colour | Additive |\n| --- | --- |\n| Lavender | EDTA |\n\n{QUIZ}\n## References\n\n1. X\n"
    );
    let c = check(&[("a.md", module("", &body))]).unwrap();
    let html = &c.module("a").unwrap().body_html;
    assert!(
        html.contains("<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Table: Tubes\"><table>"),
        "{html}"
    );
}
