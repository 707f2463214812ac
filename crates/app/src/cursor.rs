//! 翻页游标: page cursors that carry no personal data.
//!
//! A keyset page of persons continues after the last person shown, so the store's cursor is
//! that person's ID number (or name and number). Handed to the client as it is, `limit=1` would
//! give one full number per request to a role that sees them masked. The client gets the cursor
//! sealed instead: encrypted and authenticated under a key made at the process's start
//! (HMAC-SHA256 as the keystream and the tag), so it can only be handed back, not read or made.
//! A cursor from before a restart is refused as expired; the list starts again.

use hmac::{KeyInit, Mac};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

fn key() -> &'static [u8; 32] {
    static KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let mut k = [0u8; 32];
        // Without the OS source the key is still unknown to clients, only weaker; sealing goes on.
        let _ = getrandom::fill(&mut k);
        k
    })
}

fn prf(parts: &[&[u8]]) -> [u8; 32] {
    let mut m = match HmacSha256::new_from_slice(key()) {
        Ok(m) => m,
        Err(_) => return [0u8; 32],
    };
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

fn keystream(nonce: &[u8], len: usize) -> Vec<u8> {
    (0u32..).map(|i| prf(&[b"stream", nonce, &i.to_be_bytes()])).flat_map(|b| b.into_iter()).take(len).collect()
}

/// A cursor as the client gets it: hex of nonce (12 bytes), ciphertext and tag (16 bytes).
pub fn seal(raw: &str) -> String {
    let mut nonce = [0u8; 12];
    let _ = getrandom::fill(&mut nonce);
    let ct: Vec<u8> = raw.bytes().zip(keystream(&nonce, raw.len())).map(|(a, b)| a ^ b).collect();
    let tag = prf(&[b"tag", &nonce, &ct]);
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    out.extend_from_slice(&tag[..16]);
    hex::encode(out)
}

/// The store's cursor inside a sealed one; `None` for anything not sealed by this process.
pub fn open(sealed: &str) -> Option<String> {
    let bytes = hex::decode(sealed).ok()?;
    if bytes.len() < 28 || bytes.len() > 4096 {
        return None;
    }
    let (nonce, rest) = bytes.split_at(12);
    let (ct, tag) = rest.split_at(rest.len() - 16);
    let expected = prf(&[b"tag", nonce, ct]);
    // Constant time: the tag is compared whole.
    if expected[..16].iter().zip(tag).fold(0u8, |acc, (a, b)| acc | (a ^ b)) != 0 {
        return None;
    }
    let raw: Vec<u8> = ct.iter().zip(keystream(nonce, ct.len())).map(|(a, b)| a ^ b).collect();
    String::from_utf8(raw).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_sealed_cursor_shows_nothing_of_the_number_and_opens_back() {
        let raw = "张三|11010519491231002X";
        let sealed = seal(raw);
        assert!(!sealed.contains("1101") && !sealed.contains("002X"));
        assert_eq!(open(&sealed).as_deref(), Some(raw));
        assert_ne!(seal(raw), sealed, "a fresh nonce each time");
    }

    #[test]
    fn a_cursor_made_or_altered_by_a_client_is_refused() {
        assert_eq!(open("11010519491231002X"), None);
        let mut sealed = seal("11010519491231002X").into_bytes();
        sealed[30] = if sealed[30] == b'0' { b'1' } else { b'0' };
        assert_eq!(open(&String::from_utf8(sealed).unwrap_or_default()), None);
    }

    proptest! {
        #[test]
        fn any_text_opens_as_it_was_sealed(raw in ".{0,80}") {
            prop_assert_eq!(open(&seal(&raw)), Some(raw));
        }

        #[test]
        fn no_text_makes_opening_panic(text in ".{0,200}") {
            let _ = open(&text);
        }
    }
}
