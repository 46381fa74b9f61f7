//! Which entries `prune` removes: a pure function of the entries' ages, last uses and sizes,
//! so that the policy is tested without a filesystem or a clock.
//!
//! First every entry written before the `older_than` cut-off goes. Then, while the projected
//! size is above `max_size`, the least recently used entry goes (the oldest write breaks ties).
//! Removing an entry frees its index line, and its content once no kept entry shares it: the
//! metadata of every wheel of one release is the same text, stored once.

use std::time::{Duration, SystemTime};

/// What `prune` is asked to enforce.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PruneLimits {
    /// The size the cache must not exceed, in bytes.
    pub max_size: Option<u64>,
    /// Entries written longer ago than this are removed.
    pub older_than: Option<Duration>,
}

/// One removable entry, as the policy sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// When it was written.
    pub(crate) written: SystemTime,
    /// When it was last used (at least `written`).
    pub(crate) last_used: SystemTime,
    /// Bytes of its index line.
    pub(crate) index_bytes: u64,
    /// Its content, as an index into the content sizes.
    pub(crate) content: usize,
}

/// The entries to remove, as indexes into the candidates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Selection {
    /// Removed for their age.
    pub(crate) expired: Vec<usize>,
    /// Removed to fit the size cap, least recently used first.
    pub(crate) evicted: Vec<usize>,
    /// The size the cache will have afterwards.
    pub(crate) projected: u64,
}

/// Chooses what to remove. `baseline` is the cache's size once garbage is collected with every
/// candidate kept; `content_bytes[i]` is the size of content `i`.
pub(crate) fn select(
    candidates: &[Candidate],
    content_bytes: &[u64],
    baseline: u64,
    limits: PruneLimits,
    now: SystemTime,
) -> Selection {
    let mut users = vec![0_usize; content_bytes.len()];
    for candidate in candidates {
        users[candidate.content] += 1;
    }
    let mut size = baseline;
    let mut remove = |candidate: &Candidate, size: &mut u64| {
        let freed_content = {
            let count = &mut users[candidate.content];
            *count = count.saturating_sub(1);
            if *count == 0 {
                content_bytes[candidate.content]
            } else {
                0
            }
        };
        *size = size.saturating_sub(candidate.index_bytes + freed_content);
    };

    let mut selection = Selection::default();
    let mut kept: Vec<usize> = Vec::with_capacity(candidates.len());
    let cutoff = limits
        .older_than
        .map(|age| now.checked_sub(age).unwrap_or(SystemTime::UNIX_EPOCH));
    for (position, candidate) in candidates.iter().enumerate() {
        if cutoff.is_some_and(|cutoff| candidate.written < cutoff) {
            remove(candidate, &mut size);
            selection.expired.push(position);
        } else {
            kept.push(position);
        }
    }
    if let Some(cap) = limits.max_size {
        kept.sort_by_key(|&position| {
            let candidate = &candidates[position];
            (candidate.last_used, candidate.written, position)
        });
        for position in kept {
            if size <= cap {
                break;
            }
            remove(&candidates[position], &mut size);
            selection.evicted.push(position);
        }
    }
    selection.projected = size;
    selection
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    fn at(hours: u32) -> SystemTime {
        SystemTime::UNIX_EPOCH + HOUR * hours
    }

    fn candidate(written: u32, last_used: u32, content: usize) -> Candidate {
        Candidate {
            written: at(written),
            last_used: at(last_used),
            index_bytes: 10,
            content,
        }
    }

    #[test]
    fn nothing_asked_nothing_removed() {
        let candidates = [candidate(1, 1, 0)];
        let selection = select(&candidates, &[100], 110, PruneLimits::default(), at(100));
        assert_eq!(
            selection,
            Selection {
                projected: 110,
                ..Selection::default()
            }
        );
    }

    #[test]
    fn entries_older_than_the_cutoff_go() {
        let candidates = [
            candidate(10, 99, 0),
            candidate(50, 50, 1),
            candidate(90, 90, 2),
        ];
        let limits = PruneLimits {
            older_than: Some(HOUR * 48),
            ..PruneLimits::default()
        };
        // Written at hour 10 and 50; now is hour 100: both are older than 48 h, whatever
        // their last use.
        let selection = select(&candidates, &[100, 100, 100], 330, limits, at(100));
        assert_eq!(selection.expired, [0, 1]);
        assert!(selection.evicted.is_empty());
        assert_eq!(selection.projected, 110);
    }

    #[test]
    fn the_cap_evicts_least_recently_used_first() {
        let candidates = [candidate(1, 80, 0), candidate(2, 2, 1), candidate(3, 50, 2)];
        let limits = PruneLimits {
            max_size: Some(150),
            ..PruneLimits::default()
        };
        let selection = select(&candidates, &[100, 100, 100], 330, limits, at(100));
        assert_eq!(selection.evicted, [1, 2]);
        assert_eq!(selection.projected, 110);
    }

    #[test]
    fn shared_content_is_only_freed_with_its_last_user() {
        // Two entries share content 0 (300 bytes); the third has its own (50 bytes).
        let candidates = [candidate(1, 1, 0), candidate(2, 2, 0), candidate(3, 3, 1)];
        let limits = PruneLimits {
            max_size: Some(100),
            ..PruneLimits::default()
        };
        let baseline = 30 + 300 + 50;
        let selection = select(&candidates, &[300, 50], baseline, limits, at(100));
        // Removing the first frees 10 bytes only; the second frees the 300 shared ones.
        assert_eq!(selection.evicted, [0, 1]);
        assert_eq!(selection.projected, 60);
    }

    #[test]
    fn ties_in_last_use_go_oldest_written_first() {
        let candidates = [candidate(5, 9, 0), candidate(4, 9, 1)];
        let limits = PruneLimits {
            max_size: Some(120),
            ..PruneLimits::default()
        };
        let selection = select(&candidates, &[100, 100], 220, limits, at(100));
        assert_eq!(selection.evicted, [1]);
    }

    #[test]
    fn age_and_cap_combine_and_a_zero_cap_empties_the_cache() {
        let candidates = [candidate(1, 1, 0), candidate(99, 99, 1)];
        let limits = PruneLimits {
            max_size: Some(0),
            older_than: Some(HOUR * 24),
        };
        let selection = select(&candidates, &[100, 100], 220, limits, at(100));
        assert_eq!(selection.expired, [0]);
        assert_eq!(selection.evicted, [1]);
        assert_eq!(selection.projected, 0);
    }

    #[test]
    fn a_cap_above_the_size_removes_nothing() {
        let candidates = [candidate(1, 1, 0)];
        let limits = PruneLimits {
            max_size: Some(1 << 30),
            older_than: Some(HOUR * 1_000_000),
        };
        let selection = select(&candidates, &[100], 110, limits, at(100));
        assert_eq!(
            selection,
            Selection {
                projected: 110,
                ..Selection::default()
            }
        );
    }
}
