//! `pinwheel::fuzzing::requirements_file`: no input may panic it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let items = pinwheel::fuzzing::requirements_file(data);
    let target = pinwheel::fuzzing::target("requirements_file").expect("the target is listed");
    assert!(items <= target.max_items(data.len()));
});
