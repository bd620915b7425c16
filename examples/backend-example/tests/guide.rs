//! `docs/writing-a-backend.md` shows this crate's code: every Rust and TOML block of the guide
//! names the file it comes from (`<!-- from: path -->` just above it) and must stand in that
//! file verbatim, so the guide cannot drift from code that compiles and passes its test.

use std::path::{Path, PathBuf};

/// The workspace root (this crate sits at `examples/backend-example`).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fenced block of the guide: its language, the file it names, its text and its line.
struct Block {
    language: String,
    source: Option<String>,
    text: String,
    line: usize,
}

fn blocks(guide: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = guide.lines().enumerate();
    let mut source = None;
    while let Some((number, line)) = lines.next() {
        if let Some(path) = line
            .strip_prefix("<!-- from: ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        {
            source = Some(path.to_owned());
            continue;
        }
        let Some(language) = line.strip_prefix("```") else {
            if !line.trim().is_empty() {
                source = None;
            }
            continue;
        };
        let text: Vec<&str> = lines
            .by_ref()
            .map(|(_, line)| line)
            .take_while(|line| *line != "```")
            .collect();
        blocks.push(Block {
            language: language.to_owned(),
            source: source.take(),
            text: text.join("\n"),
            line: number + 1,
        });
    }
    blocks
}

#[test]
fn every_code_block_of_the_guide_is_this_crates_code_verbatim() {
    let root = workspace();
    let guide = std::fs::read_to_string(root.join("docs/writing-a-backend.md")).expect("guide");
    let blocks = blocks(&guide);
    let mut checked = 0;
    for block in &blocks {
        if !matches!(block.language.as_str(), "rust" | "toml") {
            continue;
        }
        let source = block.source.as_deref().unwrap_or_else(|| {
            panic!(
                "the {} block at line {} names no file (<!-- from: path -->)",
                block.language, block.line
            )
        });
        let code = std::fs::read_to_string(root.join(source))
            .unwrap_or_else(|error| panic!("{source}, named at line {}: {error}", block.line));
        assert!(
            code.contains(&block.text),
            "the block at line {} is not the code of {source} verbatim:\n{}",
            block.line,
            block.text
        );
        checked += 1;
    }
    assert!(checked >= 7, "only {checked} blocks checked");
}
