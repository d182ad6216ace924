//! The readability figures against an established implementation: the
//! Flesch-Kincaid grade that Python's textstat gives each passage of
//! `tests/readability/reference.json` (written by `reference.py` there, which
//! records the tool's version), within one grade on every passage.

use securebase::Figures;
use serde_json::Value;

fn reference() -> Value {
    let text = include_str!("readability/reference.json");
    serde_json::from_str(text).expect("reference.json is JSON")
}

#[test]
fn the_reference_names_the_tool_and_its_version() {
    let reference = reference();
    assert_eq!(reference["tool"], "textstat");
    assert_eq!(reference["versions"]["textstat"], "0.7.13");
    assert!(reference["passages"].as_array().unwrap().len() >= 20);
}

#[test]
fn grades_agree_with_textstat_within_one_grade_on_every_passage() {
    let reference = reference();
    let passages = reference["passages"].as_array().unwrap();
    let mut report = Vec::new();
    let mut worst: f64 = 0.0;
    let mut total = 0.0;
    for passage in passages {
        let name = passage["name"].as_str().unwrap();
        let text = passage["text"].as_str().unwrap();
        let expected = passage["grade"].as_f64().unwrap();
        let figures = Figures::measure(text);
        let difference = (figures.grade() - expected).abs();
        worst = worst.max(difference);
        total += difference;
        report.push(format!(
            "{name}: ours {:.2} ({} sentences, {} words, {} syllables), textstat {expected:.2} ({} sentences, {} words, {} syllables), difference {difference:.2}",
            figures.grade(),
            figures.sentences,
            figures.words,
            figures.syllables,
            passage["sentences"],
            passage["words"],
            passage["syllables"],
        ));
    }
    let mean = total / passages.len() as f64;
    let report = report.join("\n");
    println!("{report}\nmax difference {worst:.2}, mean {mean:.2} over {} passages", passages.len());
    assert!(worst <= 1.0, "a passage is more than one grade from textstat:\n{report}");
}
