//! Fuzz the CSDL JSON and CSDL XML readers, and the write-then-read round trip.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_csdl(data));
