//! Fuzz `$filter` expressions in both modes; canonical text must round-trip.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_filter(data));
