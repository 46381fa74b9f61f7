//! How an entry is stored remotely: a magic, an xxh3 over the key, the entry's info and its
//! body, then the info (JSON) and the body. A torn, truncated or bit-flipped object, or one
//! stored under another key, fails the check and is a miss.

use xxhash_rust::xxh3::Xxh3;

use crate::cache::{Entry, EntryInfo};

const MAGIC: &[u8; 6] = b"PWRC\x00\x01";

fn digest(key: &str, info: &[u8], body: &[u8]) -> u64 {
    let mut hasher = Xxh3::new();
    hasher.update(&(key.len() as u64).to_le_bytes());
    hasher.update(key.as_bytes());
    hasher.update(&(info.len() as u64).to_le_bytes());
    hasher.update(info);
    hasher.update(body);
    hasher.digest()
}

/// The stored form of an entry under `key`.
#[must_use]
pub fn seal(key: &str, body: &[u8], info: &EntryInfo) -> Vec<u8> {
    let info = serde_json::to_vec(info).unwrap_or_default();
    let mut out = Vec::with_capacity(MAGIC.len() + 12 + info.len() + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&digest(key, &info, body).to_le_bytes());
    out.extend_from_slice(&(info.len() as u32).to_le_bytes());
    out.extend_from_slice(&info);
    out.extend_from_slice(body);
    out
}

/// The entry `sealed` holds, if it is whole and was stored under `key`.
#[must_use]
pub fn open(key: &str, sealed: &[u8]) -> Option<Entry> {
    let rest = sealed.strip_prefix(MAGIC.as_slice())?;
    let (stored, rest) = rest.split_first_chunk::<8>()?;
    let (length, rest) = rest.split_first_chunk::<4>()?;
    let length = usize::try_from(u32::from_le_bytes(*length)).ok()?;
    let info = rest.get(..length)?;
    let body = rest.get(length..)?;
    if digest(key, info, body) != u64::from_le_bytes(*stored) {
        return None;
    }
    Some(Entry {
        body: body.to_vec(),
        info: serde_json::from_slice(info).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_opens_only_whole_and_under_its_own_key() {
        let info = EntryInfo {
            fetched_at: 7,
            ..EntryInfo::default()
        };
        let sealed = seal("k", b"body", &info);
        let entry = open("k", &sealed).unwrap();
        assert_eq!((entry.body.as_slice(), entry.info), (&b"body"[..], info));
        assert!(open("other", &sealed).is_none());
        for cut in 0..sealed.len() {
            assert!(open("k", &sealed[..cut]).is_none(), "cut at {cut}");
        }
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(open("k", &flipped).is_none());
    }
}
