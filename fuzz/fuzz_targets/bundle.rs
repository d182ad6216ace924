//! The edition bundle's reader: any bytes, no panic; a bundle that parses
//! writes back to exactly its bytes; loading one against a trust root
//! refuses rather than panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    securebase::__fuzz::bundle(data);
});
