//! SHA-256 digests as the index and the lock file spell them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A SHA-256 digest, kept as 32 raw bytes so that comparisons never depend on case.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Sha256Digest([u8; 32]);

/// A string that is not 64 hexadecimal digits.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not a sha256 digest (64 hexadecimal digits)")]
pub struct DigestError(String);

impl Sha256Digest {
    /// Wraps raw digest bytes, as produced by a hasher.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw digest bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Hashes `data`.
    #[must_use]
    pub fn of(data: &[u8]) -> Self {
        use sha2::Digest as _;
        Self(sha2::Sha256::digest(data).into())
    }

    /// The lowercase hexadecimal form, as written after `--hash=sha256:`.
    #[must_use]
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One write of 64 digits: a `write!` per byte was most of the cost of writing a
        // hashed lock file.
        let mut digits = [0u8; 64];
        for (pair, byte) in digits.chunks_exact_mut(2).zip(self.0) {
            pair.copy_from_slice(&hex_pair(byte));
        }
        f.write_str(std::str::from_utf8(&digits).map_err(|_| fmt::Error)?)
    }
}

/// `bytes` as lowercase hexadecimal.
#[must_use]
pub fn encode_hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        let [high, low] = hex_pair(byte);
        hex.push(char::from(high));
        hex.push(char::from(low));
    }
    hex
}

/// The two lowercase hexadecimal digits of `byte`.
fn hex_pair(byte: u8) -> [u8; 2] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    [
        DIGITS[usize::from(byte >> 4)],
        DIGITS[usize::from(byte & 0x0f)],
    ]
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{self}")
    }
}

impl FromStr for Sha256Digest {
    type Err = DigestError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err(DigestError(text.to_string()));
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let high = hex_value(pair[0]).ok_or_else(|| DigestError(text.to_string()))?;
            let low = hex_value(pair[1]).ok_or_else(|| DigestError(text.to_string()))?;
            out[i] = (high << 4) | low;
        }
        Ok(Self(out))
    }
}

/// Hashes data that arrives in pieces (a download, a file read in chunks), counting its length:
/// distributions can be hundreds of megabytes and are never held whole in memory to be hashed.
#[derive(Clone, Default)]
pub struct Sha256Hasher {
    hasher: sha2::Sha256,
    len: u64,
}

impl Sha256Hasher {
    /// An empty hasher.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next piece.
    pub fn update(&mut self, data: &[u8]) {
        use sha2::Digest as _;
        self.hasher.update(data);
        self.len += data.len() as u64;
    }

    /// The digest and the total length of everything added.
    #[must_use]
    pub fn finish(self) -> (Sha256Digest, u64) {
        use sha2::Digest as _;
        (Sha256Digest(self.hasher.finalize().into()), self.len)
    }
}

/// Writing into a hasher hashes (`std::io::copy` from a file hashes it in pieces); it never fails.
impl std::io::Write for Sha256Hasher {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.update(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl fmt::Debug for Sha256Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Hasher({} bytes)", self.len)
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

impl From<Sha256Digest> for String {
    fn from(digest: Sha256Digest) -> Self {
        digest.to_string()
    }
}

impl TryFrom<String> for Sha256Digest {
    type Error = DigestError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_hex_and_ignores_case() {
        let hex = "14fd1ed3dd0e1a46cc53b8fc890b5a3b11737515aeb7f42c3af9f38e8d8975d7";
        let digest: Sha256Digest = hex.parse().unwrap();
        assert_eq!(digest.to_string(), hex);
        let upper: Sha256Digest = hex.to_uppercase().parse().unwrap();
        assert_eq!(digest, upper);
    }

    #[test]
    fn rejects_wrong_length_and_non_hex() {
        assert!("abc".parse::<Sha256Digest>().is_err());
        let bad = "z".repeat(64);
        assert!(bad.parse::<Sha256Digest>().is_err());
    }

    #[test]
    fn hashing_in_pieces_equals_hashing_at_once() {
        let mut hasher = Sha256Hasher::new();
        hasher.update(b"a");
        hasher.update(b"");
        hasher.update(b"bc");
        assert_eq!(hasher.finish(), (Sha256Digest::of(b"abc"), 3));
    }

    #[test]
    fn hashes_known_input() {
        assert_eq!(
            Sha256Digest::of(b"abc").to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
