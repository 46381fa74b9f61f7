//! `pinwheel::fuzzing::setup_py`: no input may panic it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let items = pinwheel::fuzzing::setup_py(data);
    let target = pinwheel::fuzzing::target("setup_py").expect("the target is listed");
    assert!(items <= target.max_items(data.len()));
});
