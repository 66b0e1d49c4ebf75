//! Module bodies: Markdown to sanitized HTML, with heading anchors, a table of
//! contents, safety callouts, module links, figures, critical-step markers,
//! and the knowledge-check blocks taken out.

use std::collections::{BTreeMap, HashSet};
use std::path::{Component, Path};

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::quiz_block::{self, BlockError};
use crate::domain::module::TocEntry;
use crate::domain::quiz::Question;

pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Questions with the file line of their block.
    pub questions: Vec<(Question, usize)>,
    pub plain_text: String,
    pub errors: Vec<BlockError>,
}

/// URL prefix under which `content/modules/images/` is served.
pub const IMAGE_URL_PREFIX: &str = "/module-images/";

/// Ids the page itself uses; headings must not take them.
const RESERVED_IDS: &[&str] = &["main", "toc", "knowledge-check", "objectives", "references-list"];

pub fn render(
    body: &str,
    first_line: usize,
    slugs: &BTreeMap<String, &Path>,
    modules_dir: &Path,
    check_image: &dyn Fn(&Path) -> Option<String>,
) -> Rendered {
    let line_at = |offset: usize| first_line + body[..offset.min(body.len())].bytes().filter(|&b| b == b'\n').count();
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_GFM;
    let events: Vec<(Event, std::ops::Range<usize>)> = Parser::new_ext(body, options).into_offset_iter().collect();

    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut errors = Vec::new();
    let mut toc = Vec::new();
    let mut questions = Vec::new();
    let mut plain = String::new();
    let mut used_ids: HashSet<String> = RESERVED_IDS.iter().map(|s| s.to_string()).collect();
    let mut prev_level: Option<u8> = None;
    let mut has_references = false;
    let mut quotes: Vec<bool> = Vec::new();
    let mut items: Vec<bool> = Vec::new();

    let mut i = 0;
    while i < events.len() {
        let (event, range) = &events[i];
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if info.trim() == "quiz" => {
                let mut text = String::new();
                i += 1;
                while i < events.len() && !matches!(events[i].0, Event::End(TagEnd::CodeBlock)) {
                    if let Event::Text(t) = &events[i].0 {
                        text.push_str(t);
                    }
                    i += 1;
                }
                let block_line = line_at(range.start);
                match quiz_block::parse(&text, block_line + 1) {
                    Ok(q) => questions.push((q, block_line)),
                    Err(mut e) => errors.append(&mut e),
                }
            }
            Event::Start(Tag::Heading { level, .. }) => {
                let level_n = heading_number(*level);
                let line = line_at(range.start);
                let mut inner = Vec::new();
                let mut text = String::new();
                i += 1;
                while i < events.len() && !matches!(events[i].0, Event::End(TagEnd::Heading(_))) {
                    if let Event::Text(t) | Event::Code(t) = &events[i].0 {
                        text.push_str(t);
                    }
                    inner.push(events[i].0.clone());
                    i += 1;
                }
                if level_n == 1 {
                    errors.push(BlockError {
                        line,
                        message: "use '##' for sections: the module title is the page's only '#' heading".into(),
                    });
                } else if level_n > prev_level.unwrap_or(1) + 1 {
                    errors.push(BlockError {
                        line,
                        message: format!("heading level skips from h{} to h{level_n}", prev_level.unwrap_or(1)),
                    });
                }
                prev_level = Some(level_n);
                if text.trim().is_empty() {
                    errors.push(BlockError { line, message: "empty heading".into() });
                }
                if level_n == 2 && text.trim().eq_ignore_ascii_case("references") {
                    has_references = true;
                }
                let id = unique_id(&text, &mut used_ids);
                if level_n <= 3 {
                    toc.push(TocEntry { level: level_n, id: id.clone(), text: text.trim().to_string() });
                }
                plain.push_str(&text);
                plain.push(' ');
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(id)),
                    classes: vec![],
                    attrs: vec![],
                }));
                out.extend(inner);
                out.push(Event::End(TagEnd::Heading(*level)));
            }
            Event::Start(Tag::BlockQuote(kind)) => {
                quotes.push(kind.is_some());
                match kind {
                    Some(k) => {
                        let (class, label) = callout(*k);
                        out.push(Event::Html(CowStr::from(format!(
                            "<div class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\">{label}</p>"
                        ))));
                    }
                    None => out.push(event.clone()),
                }
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                if quotes.pop() == Some(true) {
                    out.push(Event::Html(CowStr::from("</div>")));
                } else {
                    out.push(event.clone());
                }
            }
            Event::Start(Tag::Item) => {
                let critical = starts_critical(&events[i + 1..]);
                items.push(critical);
                if critical {
                    out.push(Event::Html(CowStr::from("<li class=\"step-critical\">")));
                } else {
                    out.push(event.clone());
                }
            }
            Event::End(TagEnd::Item) => {
                if items.pop() == Some(true) {
                    out.push(Event::Html(CowStr::from("</li>\n")));
                } else {
                    out.push(event.clone());
                }
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let line = line_at(range.start);
                let dest = if let Some(target) = dest_url.strip_prefix("module:") {
                    let (target_slug, fragment) = match target.split_once('#') {
                        Some((s, f)) => (s, format!("#{f}")),
                        None => (target, String::new()),
                    };
                    if !slugs.contains_key(target_slug) {
                        errors.push(BlockError { line, message: format!("link to unknown module '{target_slug}'") });
                    }
                    CowStr::from(format!("/modules/{target_slug}{fragment}"))
                } else {
                    dest_url.clone()
                };
                out.push(Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: dest,
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            Event::Start(Tag::Image { dest_url, title, .. }) => {
                let line = line_at(range.start);
                let mut alt = String::new();
                i += 1;
                while i < events.len() && !matches!(events[i].0, Event::End(TagEnd::Image)) {
                    if let Event::Text(t) | Event::Code(t) = &events[i].0 {
                        alt.push_str(t);
                    }
                    i += 1;
                }
                if alt.trim().is_empty() {
                    errors.push(BlockError { line, message: format!("image '{dest_url}' has no alt text") });
                }
                let src = match image_path(dest_url) {
                    Some(rel) => {
                        if let Some(problem) = check_image(&modules_dir.join(rel)) {
                            errors.push(BlockError { line, message: format!("image '{dest_url}': {problem}") });
                        }
                        format!("{IMAGE_URL_PREFIX}{}", rel.strip_prefix("images/").unwrap_or(rel))
                    }
                    None => {
                        errors.push(BlockError {
                            line,
                            message: format!("image '{dest_url}' must be a file under images/ beside the module"),
                        });
                        String::new()
                    }
                };
                let img = format!("<img src=\"{}\" alt=\"{}\" loading=\"lazy\">", escape(&src), escape(alt.trim()));
                // An image alone in its paragraph becomes a figure with its caption.
                let alone = matches!(out.last(), Some(Event::Start(Tag::Paragraph)))
                    && matches!(events.get(i + 1).map(|e| &e.0), Some(Event::End(TagEnd::Paragraph)));
                if alone {
                    out.pop();
                    i += 1;
                    let caption = if title.trim().is_empty() {
                        String::new()
                    } else {
                        format!("<figcaption>{}</figcaption>", escape(title.trim()))
                    };
                    out.push(Event::Html(CowStr::from(format!("<figure>{img}{caption}</figure>\n"))));
                } else {
                    out.push(Event::Html(CowStr::from(img)));
                }
            }
            // Wide tables scroll sideways on a phone; a focusable, labelled
            // region lets keyboard users scroll them too (WCAG 2.1.1).
            Event::Start(Tag::Table(_)) => {
                let label =
                    toc.last().map(|t: &TocEntry| format!("Table: {}", t.text)).unwrap_or_else(|| "Table".into());
                out.push(Event::Html(CowStr::from(format!(
                    "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">",
                    escape(&label)
                ))));
                out.push(event.clone());
            }
            Event::End(TagEnd::Table) => {
                out.push(event.clone());
                out.push(Event::Html(CowStr::from("</div>\n")));
            }
            Event::Text(t) | Event::Code(t) => {
                plain.push_str(t);
                plain.push(' ');
                out.push(event.clone());
            }
            _ => out.push(event.clone()),
        }
        i += 1;
    }
    if !has_references {
        errors.push(BlockError {
            line: line_at(body.len()),
            message: "missing a '## References' section citing the module's sources".into(),
        });
    }

    let mut raw = String::with_capacity(body.len() * 2);
    pulldown_cmark::html::push_html(&mut raw, out.into_iter());
    Rendered { html: sanitize(&raw), toc, questions, plain_text: plain, errors }
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn callout(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

/// A list item whose text starts with bold "Critical".
fn starts_critical(rest: &[(Event, std::ops::Range<usize>)]) -> bool {
    let mut it = rest.iter().map(|e| &e.0).skip_while(|e| matches!(e, Event::Start(Tag::Paragraph)));
    matches!(it.next(), Some(Event::Start(Tag::Strong)))
        && matches!(it.next(), Some(Event::Text(t)) if t.trim_start().to_ascii_lowercase().starts_with("critical"))
}

/// `images/x.svg` style paths only: relative, inside images/, no `..`.
fn image_path(dest: &str) -> Option<&str> {
    let p = Path::new(dest);
    let normal = p.components().all(|c| matches!(c, Component::Normal(_)));
    (normal && dest.starts_with("images/") && !dest.contains(':') && !dest.contains('?')).then_some(dest)
}

fn unique_id(text: &str, used: &mut HashSet<String>) -> String {
    let mut base = String::new();
    for c in text.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c);
        } else if !base.ends_with('-') && !base.is_empty() {
            base.push('-');
        }
    }
    let base = base.trim_end_matches('-').to_string();
    let base = if base.is_empty() { "section".to_string() } else { base };
    let mut id = base.clone();
    let mut n = 2;
    while used.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    used.insert(id.clone());
    id
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The last line of defence: whatever the Markdown held, only these tags and
/// attributes reach the page. No scripts, event handlers, styles, forms,
/// iframes, SVG or MathML.
fn sanitize(html: &str) -> String {
    use std::collections::{HashMap, HashSet};
    let tags: HashSet<&str> = [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "section",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
    .into_iter()
    .collect();
    let mut tag_attrs: HashMap<&str, HashSet<&str>> = HashMap::new();
    tag_attrs.insert("a", ["href", "title"].into_iter().collect());
    tag_attrs.insert("img", ["src", "alt", "title", "loading", "width", "height"].into_iter().collect());
    for h in ["h2", "h3", "h4", "h5", "h6"] {
        tag_attrs.insert(h, ["id"].into_iter().collect());
    }
    tag_attrs.insert("div", ["id", "role", "tabindex", "aria-label"].into_iter().collect());
    tag_attrs.insert("ol", ["start"].into_iter().collect());
    tag_attrs.insert("th", ["scope"].into_iter().collect());
    let mut classes: HashMap<&str, HashSet<&str>> = HashMap::new();
    classes.insert(
        "div",
        [
            "callout",
            "callout-note",
            "callout-tip",
            "callout-important",
            "callout-warning",
            "callout-caution",
            "footnote-definition",
            "table-scroll",
        ]
        .into_iter()
        .collect(),
    );
    classes.insert("p", ["callout-title"].into_iter().collect());
    classes.insert("li", ["step-critical"].into_iter().collect());
    classes.insert("sup", ["footnote-reference", "footnote-definition-label"].into_iter().collect());
    ammonia::Builder::default()
        .tags(tags)
        .tag_attributes(tag_attrs)
        .allowed_classes(classes)
        .generic_attributes(["lang"].into_iter().collect())
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}
