//! A reader of PostgreSQL's binary `COPY ... TO STDOUT (FORMAT binary)` stream, for bulk reads
//! (the policy snapshot) where decoding rows one by one through the query protocol costs more
//! than the server's reading.
//!
//! The format (PostgreSQL manual, "COPY", binary format): an 11-byte signature, a 32-bit flags
//! field and a header extension area; then per tuple a 16-bit field count (−1 ends the data)
//! and per field a 32-bit length (−1 for NULL) and the value in the type's binary form: text as
//! its UTF-8 bytes, integers big-endian, a date as days from 2000-01-01.

use crate::{Result, StoreError};
use chrono::NaiveDate;

const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";
/// The most fields a tuple of ours has.
const MAX_FIELDS: usize = 16;

fn bad(what: impl Into<String>) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!("binary COPY: {}", what.into())))
}

/// Parses the stream chunk by chunk, whatever the chunks' boundaries.
#[derive(Default)]
pub(crate) struct BinaryCopy {
    buf: Vec<u8>,
    header_read: bool,
    ended: bool,
}

/// The fields of one tuple (`None` for NULL).
pub(crate) type Fields<'a> = [Option<&'a [u8]>];

impl BinaryCopy {
    /// Takes the next chunk of the stream and hands each complete tuple to `each`.
    pub(crate) fn feed(&mut self, chunk: &[u8], mut each: impl FnMut(&Fields<'_>) -> Result<()>) -> Result<()> {
        if self.ended {
            return if chunk.is_empty() { Ok(()) } else { Err(bad("data after the end marker")) };
        }
        self.buf.extend_from_slice(chunk);
        let mut pos = 0;
        if !self.header_read {
            if self.buf.len() < 19 {
                return Ok(());
            }
            if &self.buf[..11] != SIGNATURE {
                return Err(bad("not a binary COPY stream"));
            }
            // Bits 16–31 of the flags mark format changes a reader must not ignore (16: OIDs).
            let flags = u32::from_be_bytes(array(&self.buf[11..15])?);
            if flags & 0xFFFF_0000 != 0 {
                return Err(bad(format!("flags {flags:#x}")));
            }
            let extension = u32::from_be_bytes(array(&self.buf[15..19])?) as usize;
            if self.buf.len() < 19 + extension {
                return Ok(());
            }
            pos = 19 + extension;
            self.header_read = true;
        }
        let mut fields: [Option<&[u8]>; MAX_FIELDS] = [None; MAX_FIELDS];
        loop {
            let b = &self.buf[pos..];
            if b.len() < 2 {
                break;
            }
            let count = i16::from_be_bytes([b[0], b[1]]);
            if count == -1 {
                self.ended = true;
                if b.len() > 2 {
                    return Err(bad("data after the end marker"));
                }
                pos += 2;
                break;
            }
            let count = usize::try_from(count).map_err(|_| bad(format!("field count {count}")))?;
            if count > MAX_FIELDS {
                return Err(bad(format!("{count} fields")));
            }
            // Find the tuple's end; stop if it is not all here yet.
            let mut at = 2;
            let mut complete = true;
            for f in fields.iter_mut().take(count) {
                let Some(len) = b.get(at..at + 4) else {
                    complete = false;
                    break;
                };
                let len = i32::from_be_bytes(array(len)?);
                at += 4;
                if len == -1 {
                    *f = None;
                    continue;
                }
                if len < 0 {
                    return Err(bad(format!("field length {len}")));
                }
                let len = len as usize;
                let Some(value) = b.get(at..at + len) else {
                    complete = false;
                    break;
                };
                *f = Some(value);
                at += len;
            }
            if !complete {
                break;
            }
            each(&fields[..count])?;
            pos += at;
        }
        self.buf.drain(..pos);
        Ok(())
    }

    /// Checks that the stream ended with its end marker and nothing partial.
    pub(crate) fn finish(&self) -> Result<()> {
        if self.ended && self.buf.is_empty() {
            Ok(())
        } else {
            Err(bad("the stream ended before its end marker"))
        }
    }
}

/// A field that must be present.
pub(crate) fn required<'a>(fields: &Fields<'a>, i: usize) -> Result<&'a [u8]> {
    fields.get(i).copied().flatten().ok_or_else(|| bad(format!("field {i} is NULL or missing")))
}

/// A field that may be NULL (but must be there).
pub(crate) fn optional<'a>(fields: &Fields<'a>, i: usize) -> Result<Option<&'a [u8]>> {
    fields.get(i).copied().ok_or_else(|| bad(format!("field {i} is missing")))
}

pub(crate) fn text(value: &[u8]) -> Result<&str> {
    std::str::from_utf8(value).map_err(|_| bad("text is not UTF-8"))
}

/// `N` bytes of a field as an array (the length was checked by the caller; a short field is
/// refused rather than trusted).
fn array<const N: usize>(bytes: &[u8]) -> Result<[u8; N]> {
    bytes.try_into().map_err(|_| bad(format!("{} bytes where {N} were expected", bytes.len())))
}

/// A 16-, 32- or 64-bit integer.
pub(crate) fn int(value: &[u8]) -> Result<i64> {
    Ok(match value.len() {
        2 => i64::from(i16::from_be_bytes(array(value)?)),
        4 => i64::from(i32::from_be_bytes(array(value)?)),
        8 => i64::from_be_bytes(array(value)?),
        n => return Err(bad(format!("integer of {n} bytes"))),
    })
}

/// A `date`: days from 2000-01-01.
pub(crate) fn date(value: &[u8]) -> Result<NaiveDate> {
    let days: [u8; 4] = value.try_into().map_err(|_| bad("date of the wrong size"))?;
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).ok_or_else(|| bad("the date epoch"))?;
    epoch.checked_add_signed(chrono::Duration::days(i64::from(i32::from_be_bytes(days)))).ok_or_else(|| bad("date out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream of tuples in the binary format (as PostgreSQL writes it).
    fn stream(tuples: &[Vec<Option<Vec<u8>>>]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(&4u32.to_be_bytes());
        out.extend_from_slice(b"ext!");
        for t in tuples {
            out.extend_from_slice(&(t.len() as i16).to_be_bytes());
            for f in t {
                match f {
                    Some(v) => {
                        out.extend_from_slice(&(v.len() as i32).to_be_bytes());
                        out.extend_from_slice(v);
                    }
                    None => out.extend_from_slice(&(-1i32).to_be_bytes()),
                }
            }
        }
        out.extend_from_slice(&(-1i16).to_be_bytes());
        out
    }

    fn tuples() -> Vec<Vec<Option<Vec<u8>>>> {
        (0..50)
            .map(|i: i32| {
                vec![
                    Some(format!("21010219{i:02}0101001X").into_bytes()),
                    Some("张三".repeat(i as usize % 3).into_bytes()),
                    if i % 4 == 0 { None } else { Some(i.to_be_bytes().to_vec()) },
                    Some((i64::from(i) * -1_000_000_007).to_be_bytes().to_vec()),
                    Some((9000 + i).to_be_bytes().to_vec()),
                ]
            })
            .collect()
    }

    /// A row of the test stream: two texts, an optional integer, an integer, a date.
    type TestRow = (String, String, Option<i64>, i64, NaiveDate);

    fn read(chunks: &[&[u8]]) -> Result<Vec<TestRow>> {
        let mut c = BinaryCopy::default();
        let mut out = Vec::new();
        for chunk in chunks {
            c.feed(chunk, |f| {
                out.push((
                    text(required(f, 0)?)?.to_string(),
                    text(required(f, 1)?)?.to_string(),
                    f[2].map(int).transpose()?,
                    int(required(f, 3)?)?,
                    date(required(f, 4)?)?,
                ));
                Ok(())
            })?;
        }
        c.finish()?;
        Ok(out)
    }

    #[test]
    fn tuples_are_read_whatever_the_chunk_boundaries() {
        let bytes = stream(&tuples());
        let whole = read(&[&bytes]).unwrap();
        assert_eq!(whole.len(), 50);
        assert_eq!(
            whole[1],
            ("21010219010101001X".into(), "张三".into(), Some(1), -1_000_000_007, NaiveDate::from_ymd_opt(2024, 8, 23).unwrap())
        );
        assert_eq!(whole[4].2, None);
        for size in [1, 2, 3, 7, 19, 20, 64] {
            let chunks: Vec<&[u8]> = bytes.chunks(size).collect();
            assert_eq!(read(&chunks).unwrap(), whole, "chunks of {size}");
        }
    }

    #[test]
    fn a_cut_or_foreign_stream_is_an_error() {
        let bytes = stream(&tuples());
        assert!(read(&[&bytes[..bytes.len() - 2]]).is_err(), "no end marker");
        assert!(read(&[&bytes[..bytes.len() - 9]]).is_err(), "a tuple cut short");
        let mut after = bytes.clone();
        after.extend_from_slice(b"xx");
        assert!(read(&[&after]).is_err(), "data after the end");
        assert!(read(&[b"id,name\n1,2\n"]).is_err(), "CSV, not binary");
        let mut oids = bytes.clone();
        oids[11..15].copy_from_slice(&0x0001_0000u32.to_be_bytes());
        assert!(read(&[&oids]).is_err(), "a critical flag (OIDs included)");
        let mut length = bytes.clone();
        length[21..25].copy_from_slice(&(-2i32).to_be_bytes());
        assert!(read(&[&length]).is_err(), "a negative length other than NULL's");
    }

    #[test]
    fn integers_and_dates_in_binary_form() {
        assert_eq!(int(&(-2i16).to_be_bytes()).unwrap(), -2);
        assert_eq!(int(&i64::MIN.to_be_bytes()).unwrap(), i64::MIN);
        assert!(int(&[1, 2, 3]).is_err());
        assert_eq!(date(&0i32.to_be_bytes()).unwrap(), NaiveDate::from_ymd_opt(2000, 1, 1).unwrap());
        assert_eq!(date(&(-36524i32).to_be_bytes()).unwrap(), NaiveDate::from_ymd_opt(1900, 1, 1).unwrap());
        assert!(date(&[0, 0]).is_err());
    }
}
