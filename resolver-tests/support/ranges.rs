//! Interprets a `Range` request header against a file length (RFC 9110 §14).
//!
//! Only single byte ranges are understood; it must not build responses.

/// What a `Range` header asks for, relative to a file of known length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeRequest {
    /// Bytes `start..=end` (inclusive), already clamped to the file.
    Satisfiable {
        /// The first byte offset.
        start: usize,
        /// The last byte offset, inclusive.
        end: usize,
    },
    /// A well-formed range lying entirely outside the file: answer 416.
    Unsatisfiable,
    /// Malformed, not in bytes, or several ranges: serve the whole file, as RFC 9110 allows.
    Ignored,
}

/// Parses `bytes=a-b`, `bytes=a-` or `bytes=-n` against a file of `len` bytes.
pub fn parse_range(header: &str, len: usize) -> RangeRequest {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return RangeRequest::Ignored;
    };
    if spec.contains(',') {
        return RangeRequest::Ignored;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeRequest::Ignored;
    };
    let (first, last) = (first.trim(), last.trim());
    let parse = |text: &str| text.parse::<usize>().ok();
    match (first.is_empty(), last.is_empty()) {
        // A suffix: the last `n` bytes.
        (true, false) => match parse(last) {
            Some(0) => RangeRequest::Unsatisfiable,
            Some(_) if len == 0 => RangeRequest::Unsatisfiable,
            Some(n) => RangeRequest::Satisfiable {
                start: len.saturating_sub(n),
                end: len - 1,
            },
            None => RangeRequest::Ignored,
        },
        (false, true) => match parse(first) {
            Some(start) if start < len => RangeRequest::Satisfiable {
                start,
                end: len - 1,
            },
            Some(_) => RangeRequest::Unsatisfiable,
            None => RangeRequest::Ignored,
        },
        (false, false) => match (parse(first), parse(last)) {
            (Some(start), Some(end)) if start > end => RangeRequest::Ignored,
            (Some(start), Some(_)) if start >= len => RangeRequest::Unsatisfiable,
            (Some(start), Some(end)) => RangeRequest::Satisfiable {
                start,
                end: end.min(len - 1),
            },
            _ => RangeRequest::Ignored,
        },
        (true, true) => RangeRequest::Ignored,
    }
}
