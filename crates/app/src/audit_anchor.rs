//! 审计日志锚定: the audit chain's heads kept outside the database, signed with a key the
//! database does not hold.
//!
//! The hash chain ([`minzheng_store::chain`]) shows an edit or a removal *inside* the log, but
//! someone who can write the database can also cut the newest records off, or write the whole
//! chain anew with the same public formula. So the server (every minute, when the log has grown)
//! and every command that changes data append a **checkpoint** to a file beside the database:
//! the id and hash of the chain's newest record, signed with HMAC-SHA256 under the
//! installation's audit key. Each checkpoint's signature also covers the one before it, so a
//! line cannot be removed from the middle of the file or edited unseen.
//!
//! `minzheng audit verify` then checks (1) the chain itself, every record hashed; (2) every
//! checkpoint's signature; (3) that every checkpointed record is still in the log with the same
//! hash. A log cut short, or a chain recomputed without the key, fails (3).
//!
//! What is not protected, and how the auditor closes it: the records written after the newest
//! checkpoint (at most a minute of a running server's records), and the newest lines of the
//! checkpoint file itself if someone deletes them together with the records they anchor. For
//! that the verification prints the newest checkpoint (sequence number, record id and the first
//! hash characters), and the auditor keeps it from one inspection to the next: a later
//! verification must show the same checkpoint or a later one. The key file (`audit.key`,
//! readable by the server's account only) must not be readable by those who administer the
//! database; on Linux the checkpoint file can be made append-only (`chattr +a`).

use chrono::{DateTime, Utc};
use hmac::{KeyInit, Mac};
use minzheng_store::{AuditRecord, Store, StoreError};
use std::io::Write;
use std::path::{Path, PathBuf};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The file of the key, in the installation's data folder.
pub const KEY_FILE: &str = "audit.key";
/// The file of the checkpoints, beside it.
pub const CHECKPOINT_FILE: &str = "audit-checkpoints.log";

#[derive(Debug, thiserror::Error)]
pub enum AnchorError {
    #[error("audit key or checkpoint file {0}: {1}")]
    Io(String, std::io::Error),
    #[error("the audit key file {0} is not 64 hexadecimal characters")]
    BadKey(String),
    #[error("checkpoint line {line} is not signed with this installation's audit key (forged, edited, or a line before it removed)")]
    Forged { line: usize },
    #[error("checkpoint line {line} cannot be read")]
    Malformed { line: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl minzheng_domain::Bilingual for AnchorError {
    fn zh(&self) -> String {
        match self {
            AnchorError::Io(p, e) => format!("审计密钥或检查点文件{p}无法读写：{e}"),
            AnchorError::BadKey(p) => format!("审计密钥文件{p}不是64位十六进制字符"),
            AnchorError::Forged { line } => format!("检查点第{line}行的签名与本系统审计密钥不符（被伪造、修改，或其前面的行被删除）"),
            AnchorError::Malformed { line } => format!("检查点第{line}行无法识别"),
            AnchorError::Store(_) => "数据库错误".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// The installation's audit key: 32 random bytes in a file only the server's account reads.
pub struct AuditKey([u8; 32]);

impl AuditKey {
    /// Reads the key, creating it (owner-only) on the installation's first start.
    pub fn load_or_create(path: &Path) -> Result<AuditKey, AnchorError> {
        let io = |e| AnchorError::Io(path.display().to_string(), e);
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim()).map_err(|_| AnchorError::BadKey(path.display().to_string()))?;
                let key: [u8; 32] = bytes.try_into().map_err(|_| AnchorError::BadKey(path.display().to_string()))?;
                Ok(AuditKey(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).map_err(|e| io(std::io::Error::other(e.to_string())))?;
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                match options.open(path) {
                    Ok(mut f) => {
                        f.write_all(hex::encode(key).as_bytes()).map_err(io)?;
                        f.sync_all().map_err(io)?;
                        Ok(AuditKey(key))
                    }
                    // Another process created it first: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => AuditKey::load_or_create(path),
                    Err(e) => Err(io(e)),
                }
            }
            Err(e) => Err(io(e)),
        }
    }

    fn mac(&self, text: &str) -> Result<String, AnchorError> {
        let mut m = HmacSha256::new_from_slice(&self.0).map_err(|_| AnchorError::BadKey("(in memory)".into()))?;
        m.update(text.as_bytes());
        Ok(hex::encode(m.finalize().into_bytes()))
    }

    fn verifies(&self, text: &str, mac: &str) -> bool {
        let (Ok(mut m), Ok(tag)) = (HmacSha256::new_from_slice(&self.0), hex::decode(mac)) else { return false };
        m.update(text.as_bytes());
        m.verify_slice(&tag).is_ok()
    }
}

/// One signed checkpoint: the chain's newest record when it was written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Checkpoint {
    pub seq: u64,
    pub id: i64,
    pub hash: String,
    pub at: DateTime<Utc>,
    pub mac: String,
}

impl Checkpoint {
    /// What the signature covers: the fields and the previous checkpoint's signature.
    fn signed_text(seq: u64, id: i64, hash: &str, at: &DateTime<Utc>, prev_mac: &str) -> String {
        format!("{seq}\t{id}\t{hash}\t{}\t{prev_mac}", at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    fn line(&self) -> String {
        format!("{}\t{}\t{}\t{}\t{}\n", self.seq, self.id, self.hash, self.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), self.mac)
    }

    /// What the auditor notes and gives back to the next verification (`--expect`).
    pub fn note(&self) -> String {
        format!("{}:{}", self.seq, &self.hash[..self.hash.len().min(16)])
    }

    /// How the auditor notes it: enough to recognise it at the next inspection.
    pub fn summary(&self) -> String {
        format!("#{} record {} hash {}… {}", self.seq, self.id, &self.hash[..self.hash.len().min(16)], self.at.format("%Y-%m-%d %H:%M:%S"))
    }
}

/// What an anchored verification found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AnchoredVerification {
    pub records: u64,
    pub checkpoints: u64,
    /// The newest checkpoint, for the auditor to note.
    pub latest: Option<Checkpoint>,
    /// Records after the newest checkpoint (protected by the chain only).
    pub unanchored: u64,
    /// The first problem: a broken chain, a forged checkpoint, or a checkpointed record gone.
    pub problem: Option<String>,
}

/// The key and the checkpoint file of an installation.
pub struct Anchor {
    key: AuditKey,
    file: PathBuf,
    /// The newest checkpoint this process wrote or read: a file found shorter than that was cut
    /// back, and nothing is appended to it (that would bury the cut under new, valid lines).
    seen: std::sync::Mutex<u64>,
}

impl Anchor {
    /// The anchor of the installation whose data folder is `dir` (the key made on first use).
    pub fn open(dir: &Path) -> Result<Anchor, AnchorError> {
        Ok(Anchor { key: AuditKey::load_or_create(&dir.join(KEY_FILE))?, file: dir.join(CHECKPOINT_FILE), seen: Default::default() })
    }

    /// The anchor of an installation that has its key already (for verifying: a missing key is
    /// an error, not a reason to make a new one that every checkpoint would then fail).
    pub fn open_existing(dir: &Path) -> Result<Option<Anchor>, AnchorError> {
        let key = dir.join(KEY_FILE);
        if !key.exists() {
            if dir.join(CHECKPOINT_FILE).exists() {
                return Err(AnchorError::Io(key.display().to_string(), std::io::Error::from(std::io::ErrorKind::NotFound)));
            }
            return Ok(None);
        }
        Anchor::open(dir).map(Some)
    }

    /// The checkpoint file's path (for backups).
    pub fn file(&self) -> &Path {
        &self.file
    }

    fn io(&self, e: std::io::Error) -> AnchorError {
        AnchorError::Io(self.file.display().to_string(), e)
    }

    /// The checkpoints, each signature checked against the key and the line before.
    pub fn checkpoints(&self) -> Result<Vec<Checkpoint>, AnchorError> {
        let text = match std::fs::read_to_string(&self.file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io(e)),
        };
        let mut out: Vec<Checkpoint> = Vec::new();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let n = i + 1;
            let f: Vec<&str> = line.split('\t').collect();
            let [seq, id, hash, at, mac] = f.as_slice() else { return Err(AnchorError::Malformed { line: n }) };
            let seq: u64 = seq.parse().map_err(|_| AnchorError::Malformed { line: n })?;
            let id: i64 = id.parse().map_err(|_| AnchorError::Malformed { line: n })?;
            let at = DateTime::parse_from_rfc3339(at).map_err(|_| AnchorError::Malformed { line: n })?.with_timezone(&Utc);
            let prev_mac = out.last().map(|c| c.mac.as_str()).unwrap_or("");
            let expected_seq = out.last().map_or(1, |c| c.seq + 1);
            if seq != expected_seq || !self.key.verifies(&Checkpoint::signed_text(seq, id, hash, &at, prev_mac), mac) {
                return Err(AnchorError::Forged { line: n });
            }
            out.push(Checkpoint { seq, id, hash: hash.to_string(), at, mac: mac.to_string() });
        }
        Ok(out)
    }

    /// Appends a checkpoint of the chain's newest record, unless the newest checkpoint is of it
    /// already. Processes appending at once (the server, a command) take turns on a file lock.
    pub async fn checkpoint(&self, store: &dyn Store) -> Result<Option<Checkpoint>, AnchorError> {
        let Some(newest) = store.audit_recent(1).await?.into_iter().next() else { return Ok(None) };
        let Some(hash) = newest.hash.clone() else { return Ok(None) };
        let file = std::fs::OpenOptions::new().create(true).append(true).read(true).open(&self.file).map_err(|e| self.io(e))?;
        file.lock().map_err(|e| self.io(e))?;
        let written = self.append_locked(&file, newest.id, &hash);
        let _ = file.unlock();
        written
    }

    fn append_locked(&self, mut file: &std::fs::File, id: i64, hash: &str) -> Result<Option<Checkpoint>, AnchorError> {
        let existing = self.checkpoints()?;
        let newest_seq = existing.last().map_or(0, |c| c.seq);
        {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if newest_seq < *seen {
                return Err(AnchorError::Forged { line: usize::try_from(newest_seq).unwrap_or(usize::MAX).saturating_add(1) });
            }
            *seen = newest_seq;
        }
        if let Some(last) = existing.last() {
            // Already anchored, or the file is ahead of this database (a restored backup): the
            // verification reports the latter, a checkpoint would only hide it.
            if last.id >= id {
                return Ok(None);
            }
        }
        let seq = existing.last().map_or(1, |c| c.seq + 1);
        // To the second: what the line holds.
        let now = Utc::now();
        let at = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
        let prev_mac = existing.last().map(|c| c.mac.as_str()).unwrap_or("");
        let mac = self.key.mac(&Checkpoint::signed_text(seq, id, hash, &at, prev_mac))?;
        let c = Checkpoint { seq, id, hash: hash.to_string(), at, mac };
        file.write_all(c.line().as_bytes()).map_err(|e| self.io(e))?;
        file.sync_data().map_err(|e| self.io(e))?;
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = c.seq;
        Ok(Some(c))
    }

    /// Verifies the chain and the checkpoints together (one pass over the log). `noted` is the
    /// checkpoint the auditor noted last time ([`Checkpoint::note`]): it must still be in the
    /// file, unchanged, or the file was cut back and written on anew.
    pub async fn verify(&self, store: &dyn Store, noted: Option<&str>) -> Result<AnchoredVerification, AnchorError> {
        let checkpoints = match self.checkpoints() {
            Ok(c) => c,
            Err(e @ (AnchorError::Forged { .. } | AnchorError::Malformed { .. })) => {
                return Ok(AnchoredVerification { records: 0, checkpoints: 0, latest: None, unanchored: 0, problem: Some(e.to_string()) });
            }
            Err(e) => return Err(e),
        };
        let mut chain = minzheng_store::chain::Verifier::default();
        let mut pending = checkpoints.iter().peekable();
        let mut problem: Option<String> = None;
        let mut after = 0;
        let mut check = |r: &AuditRecord, problem: &mut Option<String>| {
            while let Some(c) = pending.peek() {
                if c.id > r.id {
                    break;
                }
                if c.id == r.id && r.hash.as_deref() != Some(c.hash.as_str()) && problem.is_none() {
                    *problem = Some(format!(
                        "record {} does not have the hash checkpoint #{} signed on {}: the log was written anew",
                        r.id, c.seq, c.at
                    ));
                } else if c.id < r.id && problem.is_none() {
                    *problem = Some(format!("record {} of checkpoint #{} is missing from the log", c.id, c.seq));
                }
                pending.next();
            }
        };
        loop {
            let page = store.audit_after(after, 1000).await?;
            for r in &page {
                chain.feed(r);
                check(r, &mut problem);
                after = r.id;
            }
            if page.len() < 1000 {
                break;
            }
        }
        let v = chain.finish();
        if let Some(c) = pending.next() {
            problem.get_or_insert(format!(
                "the log ends at record {} but checkpoint #{} of {} anchors record {}: the newest records were removed",
                v.tail.as_ref().map_or(0, |t| t.0),
                c.seq,
                c.at,
                c.id
            ));
        }
        if let Some((id, why)) = &v.first_broken {
            problem = Some(format!("the chain is broken at record {id}: {why}"));
        }
        if let Some(note) = noted {
            let (seq, prefix) = note.split_once(':').unwrap_or((note, ""));
            let found = seq.trim().parse::<u64>().ok().and_then(|n| checkpoints.iter().find(|c| c.seq == n));
            if !found.is_some_and(|c| !prefix.trim().is_empty() && c.hash.starts_with(prefix.trim())) {
                problem = Some(format!(
                    "the checkpoint noted last time ({note}) is not in the checkpoint file as it was: the file was cut back and written anew"
                ));
            }
        }
        let latest = checkpoints.last().cloned();
        let unanchored = match &latest {
            Some(c) => {
                // Records after the newest checkpoint (ids are dense apart from removals).
                let mut n = 0u64;
                let mut after = c.id;
                loop {
                    let page = store.audit_after(after, 1000).await?;
                    n += page.len() as u64;
                    match page.last() {
                        Some(r) if page.len() == 1000 => after = r.id,
                        _ => break,
                    }
                }
                n
            }
            None => v.records,
        };
        Ok(AnchoredVerification { records: v.records, checkpoints: checkpoints.len() as u64, latest, unanchored, problem })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("mz-anchor-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let a = AuditKey::load_or_create(&dir.join(KEY_FILE)).expect("made");
        let b = AuditKey::load_or_create(&dir.join(KEY_FILE)).expect("read");
        assert_eq!(a.0, b.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE)).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "only the owner reads the key");
        }
        let mac = a.mac("1\t5\tabc").expect("mac");
        assert!(b.verifies("1\t5\tabc", &mac));
        assert!(!b.verifies("1\t6\tabc", &mac));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
