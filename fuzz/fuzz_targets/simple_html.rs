//! `pinwheel::fuzzing::simple_html`: no input may panic it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let items = pinwheel::fuzzing::simple_html(data);
    let target = pinwheel::fuzzing::target("simple_html").expect("the target is listed");
    assert!(items <= target.max_items(data.len()));
});
