//! README.md and docs/*.md: the blocks `scripts/docs.sh` generates are well-formed (paired
//! markers, a "generated on DATE on MACHINE" line, named in the script), no link leaves the
//! repository, and every relative link and anchor resolves. Fast: reads files only.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Files linked as if they exist that another branch of the same issue adds. Remove an entry
/// once its file lands; a pending file that exists is checked like any other.
const PENDING: &[&str] = &[];

/// README.md and every Markdown file in docs/, as (path from the root, text).
fn documents() -> Vec<(String, String)> {
    let mut files = vec!["README.md".to_string()];
    let mut docs: Vec<String> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    files.extend(docs);
    files.into_iter().map(|f| (f.clone(), std::fs::read_to_string(root().join(&f)).unwrap())).collect()
}

/// The generated blocks of one document as (name, body), or the first problem found.
fn blocks(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let marker = |kind: &str| {
            line.trim().strip_prefix(&format!("<!-- {kind} generated:")).and_then(|r| r.strip_suffix(" -->"))
        };
        if let Some(name) = marker("BEGIN") {
            if let Some((other, at, _)) = &open {
                return Err(format!("line {n}: BEGIN {name} inside {other} (opened on line {at})"));
            }
            open = Some((name.to_string(), n, String::new()));
        } else if let Some(name) = marker("END") {
            match open.take() {
                Some((begun, _, body)) if begun == name => out.push((begun, body)),
                Some((begun, at, _)) => return Err(format!("line {n}: END {name} closes {begun} (line {at})")),
                None => return Err(format!("line {n}: END {name} without a BEGIN")),
            }
        } else if line.contains("generated:") && line.contains("<!--") {
            return Err(format!("line {n}: a malformed marker: {line}"));
        } else if let Some((_, _, body)) = &mut open {
            body.push_str(line);
            body.push('\n');
        }
    }
    match open {
        Some((name, at, _)) => Err(format!("BEGIN {name} on line {at} is never closed")),
        None => Ok(out),
    }
}

/// "generated on 2026-12-03 on x86_64, ..." somewhere in the block.
fn has_stamp(body: &str) -> bool {
    body.lines().any(|l| {
        l.split_once("generated on ").is_some_and(|(_, rest)| {
            let date = rest.get(..10).unwrap_or("");
            let shape = date.char_indices().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
            date.len() == 10 && shape && rest[10..].starts_with(" on ") && rest[14..].trim().len() > 3
        })
    })
}

/// The (file, block) pairs `scripts/docs.sh` writes: its `block FILE NAME` and
/// `output_block FILE NAME` lines.
fn script_blocks() -> BTreeSet<(String, String)> {
    let script = std::fs::read_to_string(root().join("scripts/docs.sh")).unwrap();
    script
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            match w.next()? {
                "block" | "output_block" => Some((w.next()?.to_string(), w.next()?.to_string())),
                _ => None,
            }
        })
        .filter(|(f, _)| f != "\"$1\"")
        .collect()
}

#[test]
fn generated_blocks_are_well_formed_and_regenerated_by_the_script() {
    let written = script_blocks();
    assert!(written.len() >= 6, "scripts/docs.sh writes {written:?}");
    let mut found = BTreeSet::new();
    for (file, text) in documents() {
        let blocks = blocks(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        for (name, body) in blocks {
            assert!(
                has_stamp(&body),
                "{file}: block {name} has no \"generated on DATE on MACHINE\" line: run `bash scripts/docs.sh` \
                 rather than editing it by hand"
            );
            assert!(
                written.contains(&(file.clone(), name.clone())),
                "{file}: block {name} is not one scripts/docs.sh writes ({written:?})"
            );
            assert!(found.insert((file.clone(), name.clone())), "{file}: block {name} twice");
        }
    }
    let missing: Vec<_> = written.difference(&found).collect();
    assert!(missing.is_empty(), "scripts/docs.sh writes blocks the documents lack: {missing:?}");
}

/// The text outside fenced code blocks and inline code spans, line by line (numbers kept).
fn prose(text: &str) -> Vec<(usize, String)> {
    let mut fenced = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut kept = String::new();
        for (j, part) in line.split('`').enumerate() {
            if j % 2 == 0 {
                kept.push_str(part);
            }
        }
        out.push((i + 1, kept));
    }
    out
}

/// The targets of Markdown links and images in a line: `[text](target)`, `![alt](target)`.
fn link_targets(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let end = after.find(')').unwrap_or(after.len());
        let target = after[..end].split_whitespace().next().unwrap_or("");
        out.push(target.to_string());
        rest = &after[end..];
    }
    out
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            let base = slug(line.trim_start_matches('#'));
            let mut s = base.clone();
            let mut k = 0;
            while !seen.insert(s.clone()) {
                k += 1;
                s = format!("{base}-{k}");
            }
        }
    }
    seen
}

#[test]
fn no_link_leaves_the_repository_and_every_link_resolves() {
    let mut problems = Vec::new();
    for (file, text) in documents() {
        let dir: PathBuf = Path::new(&file).parent().unwrap().to_path_buf();
        for (n, line) in prose(&text) {
            for scheme in ["http://", "https://", "ftp://", "mailto:"] {
                if line.contains(scheme) {
                    problems.push(format!(
                        "{file}:{n}: a link outside the repository ({scheme}); sources go in docs/sources.md"
                    ));
                }
            }
            for target in link_targets(&line) {
                let (path, anchor) = target.split_once('#').unwrap_or((&target, ""));
                let (resolved, shown) = if path.is_empty() {
                    (file.clone(), file.clone())
                } else {
                    let joined = normalize(&dir.join(path));
                    (joined.clone(), joined)
                };
                if !root().join(&resolved).exists() {
                    if !PENDING.contains(&resolved.as_str()) {
                        problems.push(format!("{file}:{n}: {target}: no file {shown}"));
                    }
                    continue;
                }
                if !anchor.is_empty() && resolved.ends_with(".md") {
                    let there = std::fs::read_to_string(root().join(&resolved)).unwrap();
                    if !anchors(&there).contains(anchor) {
                        problems.push(format!("{file}:{n}: {target}: {resolved} has no heading #{anchor}"));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `docs/../README.md` as `README.md`: the path from the repository root, `..` resolved.
fn normalize(p: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                assert!(parts.pop().is_some(), "{} leaves the repository", p.display());
            }
            std::path::Component::CurDir => {}
            c => parts.push(c.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
}

/// The checks above catch what they are meant to catch.
#[test]
fn the_checks_catch_broken_documents() {
    assert!(blocks("<!-- BEGIN generated:a -->\nx\n").is_err(), "unclosed");
    assert!(blocks("<!-- END generated:a -->\n").is_err(), "END alone");
    assert!(blocks("<!-- BEGIN generated:a -->\n<!-- BEGIN generated:b -->\n").is_err(), "nested");
    assert!(blocks("<!-- BEGIN generated:a -->\n<!-- END generated:b -->\n").is_err(), "mismatched");
    assert!(blocks("<!-- BEGIN generated: a-->\n").is_err(), "malformed");
    let ok = blocks("<!-- BEGIN generated:a -->\n_generated on 2026-12-03 on x86_64, AMD EPYC, 2 cores_\n<!-- END generated:a -->\n")
        .unwrap();
    assert_eq!(ok.len(), 1);
    assert!(has_stamp(&ok[0].1));
    assert!(!has_stamp("generated on today on my laptop"));
    assert!(!has_stamp("generated on 2026-12-03"));
    assert_eq!(link_targets("see [a](docs/a.md#x) and ![b](img/b.png \"t\")"), ["docs/a.md#x", "img/b.png"]);
    assert_eq!(prose("a `https://x` b\n```\nhttps://y\n```\nc")[0].1, "a  b");
    assert_eq!(slug("The `scaleproof` command line"), "the-scaleproof-command-line");
    assert_eq!(slug("Pilot versus production: what the pilot hides"), "pilot-versus-production-what-the-pilot-hides");
    assert_eq!(normalize(Path::new("docs/../README.md")), "README.md");
}
