//! 数组导出 / Feature columns written as NumPy `.npy` arrays, so that another rules engine
//! (OpenFisca, in `bench/openfisca/`) can compute the same programs over exactly the same data and
//! the totals can be compared. Every column is written as little-endian `i64` (`<i8`); booleans
//! as 0 / 1; a null as 0 (features are never null: they are `COALESCE`d in the views).

use std::io::Write;
use std::path::Path;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Int32Type, Int64Type};

use crate::snapshot::Table;

/// Writes each named column of `table` to `dir/<prefix>_<column>.npy` and returns the row count.
pub fn write_columns(table: &Table, columns: &[&str], dir: &Path, prefix: &str) -> std::io::Result<usize> {
    let rows = table.rows();
    for name in columns {
        let index = table
            .schema
            .index_of(name)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{} has no column {name}", table.name)))?;
        let mut values: Vec<i64> = Vec::with_capacity(rows);
        for batch in table.partitions.iter().flatten() {
            let column = batch.column(index);
            match column.data_type() {
                DataType::Int64 => values.extend(column.as_primitive::<Int64Type>().iter().map(|v| v.unwrap_or(0))),
                DataType::Int32 => values.extend(column.as_primitive::<Int32Type>().iter().map(|v| i64::from(v.unwrap_or(0)))),
                DataType::Boolean => values.extend(column.as_boolean().iter().map(|v| i64::from(v.unwrap_or(false)))),
                other => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        format!("{}.{name}: {other} is not exported", table.name),
                    ));
                }
            }
        }
        let file = std::fs::File::create(dir.join(format!("{prefix}_{name}.npy")))?;
        write_npy(std::io::BufWriter::new(file), &values)?;
    }
    Ok(rows)
}

/// The `.npy` format, version 1.0: magic, header length, a Python dict literal padded with spaces
/// so that the data starts on a 64-byte boundary, then the raw values.
pub fn write_npy(mut out: impl Write, values: &[i64]) -> std::io::Result<()> {
    let dict = format!("{{'descr': '<i8', 'fortran_order': False, 'shape': ({},), }}", values.len());
    let unpadded = 10 + dict.len() + 1;
    let total = unpadded.div_ceil(64) * 64;
    let header = format!("{dict}{}\n", " ".repeat(total - unpadded));
    out.write_all(b"\x93NUMPY\x01\x00")?;
    out.write_all(&(header.len() as u16).to_le_bytes())?;
    out.write_all(header.as_bytes())?;
    for v in values {
        out.write_all(&v.to_le_bytes())?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_aligned_and_the_values_follow_it() {
        let mut out = Vec::new();
        write_npy(&mut out, &[1, -2, 3]).unwrap();
        assert_eq!(&out[..8], b"\x93NUMPY\x01\x00");
        let header_len = u16::from_le_bytes([out[8], out[9]]) as usize;
        assert_eq!((10 + header_len) % 64, 0);
        let header = std::str::from_utf8(&out[10..10 + header_len]).unwrap();
        assert!(header.contains("'shape': (3,)") && header.ends_with('\n'), "{header}");
        let data: Vec<i64> = out[10 + header_len..].chunks(8).map(|c| i64::from_le_bytes(c.try_into().unwrap())).collect();
        assert_eq!(data, vec![1, -2, 3]);
    }
}
