//! The one rule for a path a record or a bundle may name: `/`-separated
//! plain names inside the project. It uses only `std`, so that `build.rs`
//! shares it with the bundle container.

/// Whether `path` is `/`-separated plain names: not empty or absolute, no
/// empty, `.` or `..` part, and no backslash, colon or control character
/// (which other systems read as separators, drive letters or line ends).
pub fn is_plain(path: &str) -> bool {
    !path.is_empty()
        && !path.chars().any(|c| c.is_control() || c == '\\' || c == ':')
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_paths_are_relative_names_only() {
        for path in ["themes/default/templates/base.html", "static/a.css", "x", "content/styles/a b.md"] {
            assert!(super::is_plain(path), "{path}");
        }
        for path in
            ["", "/etc/passwd", "../x", "themes/../../x", "./themes/a", "themes//a", "a/", "a\\b", "c:x", "a\nb"]
        {
            assert!(!super::is_plain(path), "{path:?}");
        }
    }
}
