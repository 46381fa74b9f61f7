//! `pinwheel::fuzzing::simple_json`: no input may panic it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let items = pinwheel::fuzzing::simple_json(data);
    let target = pinwheel::fuzzing::target("simple_json").expect("the target is listed");
    assert!(items <= target.max_items(data.len()));
});
