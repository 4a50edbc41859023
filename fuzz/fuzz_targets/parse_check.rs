//! Fuzz the model check (and typed evaluation of what it accepts) with whole query strings.
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // the checks of the other targets
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_model(data));
