//! The shipped content, bundled into the crate at compile time (the
//! `embedded` feature): no file access at run time.

use std::sync::OnceLock;

use crate::diagnostic::Diagnostics;
use crate::library::Library;

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The content shipped with this crate, loaded and validated once, with its
/// review states.
///
/// ```
/// # #[cfg(feature = "embedded")] {
/// let library = securebase::embedded().expect("the shipped content is valid");
/// let avoidant = library.get::<securebase::Style>("avoidant").expect("the avoidant style");
/// assert!(library.strategies_for(avoidant).count() > 0);
/// # }
/// ```
///
/// # Errors
///
/// The diagnostics if the bundled content does not load (the crate's tests
/// make sure it does).
pub fn embedded() -> Result<&'static Library, &'static Diagnostics> {
    static LIBRARY: OnceLock<Result<Library, Diagnostics>> = OnceLock::new();
    LIBRARY.get_or_init(|| Library::from_memory(SITE_TOML, FILES)).as_ref()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bundled_content_loads_with_every_collection() {
        let library = super::embedded().expect("valid bundled content");
        assert_eq!(library.styles().len(), 4);
        assert_eq!(library.strategies().len(), 5);
        assert_eq!(library.therapies().len(), 5);
        assert!(library.guides().len() >= 3);
    }
}
