//! Scanning bytes eight at a time (SWAR): the loop shared by the JSON
//! reader's string scan and the SSE framer's line-end search on wasm.
//!
//! Why by hand: `memchr` has no SIMD on wasm (the package is built without
//! `simd128`) and falls back to 32-bit `usize` words there; wasm has native
//! 64-bit integers, so a `u64` word halves the steps. The bit tricks are the
//! classic "has a zero byte" / "has a byte below n" tests: in the mask they
//! give, bits above the lowest may be false alarms (a borrow carries past a
//! hit), but the lowest set bit is always exact, which is all that is used.

/// Bytes per word: 8 on every target.
pub(crate) const WORD: usize = std::mem::size_of::<u64>();

/// `0x0101…01`: one in every byte of a word.
pub(crate) const ONES: u64 = u64::MAX / 255;

/// The high bit of each byte of `word` that equals `byte` (lowest exact).
#[inline(always)]
pub(crate) fn equal_bytes(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & (ONES << 7)
}

/// The high bit of each byte of `word` below `limit` (`limit` ≤ 0x80;
/// lowest exact).
#[inline(always)]
pub(crate) fn bytes_below(word: u64, limit: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(limit)) & !word & (ONES << 7)
}

/// The eight bytes at `pos` as a little-endian word, when there are eight.
#[inline(always)]
pub(crate) fn word_at(bytes: &[u8], pos: usize) -> Option<u64> {
    let chunk = bytes.get(pos..pos.checked_add(WORD)?)?;
    <[u8; WORD]>::try_from(chunk).ok().map(u64::from_le_bytes)
}

/// The byte index a non-zero `mask` of the word at `pos` points to: its
/// lowest set bit (little-endian, so the first byte in memory).
#[inline(always)]
pub(crate) fn first_hit(pos: usize, mask: u64) -> usize {
    pos + (mask.trailing_zeros() / 8) as usize
}

/// The index of the first byte at or after `pos` that `hit` accepts, or
/// `bytes.len()`: whole words are tested with `word_mask` (the high bit of
/// each byte `hit` accepts, lowest exact), the tail byte by byte.
#[inline(always)]
pub(crate) fn scan(
    bytes: &[u8],
    mut pos: usize,
    word_mask: impl Fn(u64) -> u64,
    hit: impl Fn(u8) -> bool,
) -> usize {
    while let Some(word) = word_at(bytes, pos) {
        let mask = word_mask(word);
        if mask != 0 {
            return first_hit(pos, mask);
        }
        pos += WORD;
    }
    while let Some(&b) = bytes.get(pos) {
        if hit(b) {
            break;
        }
        pos += 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_find_the_first_matching_byte_at_every_offset() {
        for at in 0..WORD {
            for filler in [b'a', b'\n' + 1, 0x80, 0xFF, 0x01] {
                let mut bytes = [filler; WORD];
                bytes[at] = b'\n';
                let word = u64::from_le_bytes(bytes);
                assert_eq!(first_hit(0, equal_bytes(word, b'\n')), at);
                let mut low = [b'x'; WORD];
                low[at] = 0x1F;
                let word = u64::from_le_bytes(low);
                assert_eq!(first_hit(0, bytes_below(word, 0x20)), at);
            }
        }
        assert_eq!(equal_bytes(u64::from_le_bytes([b'a'; WORD]), b'\n'), 0);
        assert_eq!(bytes_below(u64::from_le_bytes([0x20; WORD]), 0x20), 0);
    }

    #[test]
    fn scan_agrees_with_a_byte_search() {
        let hit = |b: u8| b == b'\r' || b == b'\n';
        let mask = |w: u64| equal_bytes(w, b'\r') | equal_bytes(w, b'\n');
        for len in 0..40 {
            for at in 0..=len {
                let mut bytes = vec![b'\x0B'; len];
                if at < len {
                    bytes[at] = b'\r';
                }
                for start in 0..=len {
                    let expected = bytes
                        .get(start..)
                        .and_then(|t| t.iter().position(|&b| hit(b)))
                        .map_or(len, |i| start + i);
                    assert_eq!(scan(&bytes, start, mask, hit), expected);
                }
            }
        }
    }
}
