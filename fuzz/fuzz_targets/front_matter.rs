//! Front-matter splitting and decoding: any bytes, no panic; positions stay
//! inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    securebase::__fuzz::split(data);
});
