//! The shipped content, embedded in the crate at compile time as a preview
//! edition bundle (the `embedded` feature): no file access at run time.
//!
//! The shipped content carries no clinician's approval, so its bundle is a
//! [`Preview`]: its text is for demos and tests, never for readers. An app
//! that shows content to readers embeds (or fetches) the bundle its own
//! production build wrote and loads it with
//! [`Approved::from_bundle`](crate::Approved::from_bundle), which verifies
//! every approval against the deployment's trust root.

use std::sync::OnceLock;

use crate::bundle::{BundleError, Preview};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The content shipped with this crate, loaded and checked once: a preview,
/// which no clinician approved.
///
/// ```
/// # #[cfg(feature = "embedded")] {
/// let preview = securebase::embedded().expect("the shipped content is valid");
/// let library = preview.unapproved_library();
/// let avoidant = library.get::<securebase::Style>("avoidant").expect("the avoidant style");
/// assert!(library.strategies_for(avoidant).count() > 0);
/// # }
/// ```
///
/// # Errors
///
/// The problems if the embedded bundle does not load (the crate's tests
/// make sure it does).
pub fn embedded() -> Result<&'static Preview, &'static BundleError> {
    static PREVIEW: OnceLock<Result<Preview, BundleError>> = OnceLock::new();
    PREVIEW.get_or_init(|| Preview::from_bundle("the embedded preview bundle", BUNDLE)).as_ref()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_bundle_is_the_shipped_content_as_a_preview() {
        let preview = super::embedded().expect("valid bundled content");
        let library = preview.unapproved_library();
        assert_eq!(library.styles().len(), 4);
        assert_eq!(library.strategies().len(), 5);
        assert_eq!(library.therapies().len(), 5);
        assert!(library.guides().len() >= 3);
        assert_eq!(preview.made().generator, crate::bundle::GENERATOR);
        // A preview is not an approved edition, whatever trust root is given.
        let refused = crate::Approved::from_bundle("embedded", super::BUNDLE, &crate::TrustRoot::default());
        assert!(matches!(refused, Err(crate::BundleError::Preview { .. })), "{refused:?}");
    }
}
