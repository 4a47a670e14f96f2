//! Offline unlock license files: the directory the operator places them in
//! (`UNLOCK_LICENSE_DIR`), read and written without ever joining an outside name into a path
//! unchecked.
//!
//! Only regular files (not symlinks, not directories) whose names match
//! `[A-Za-z0-9._-]{1,128}` without a leading dot exist for the proxy; anything else in the
//! directory is ignored. Downloads look a name up in the directory listing; uploads validate
//! the name first (so it can be neither `..` nor contain a separator) and write through a
//! hidden temporary file renamed into place, so a download never sees half a file.

use md5::{Digest, Md5};
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A license file name the proxy serves and accepts: `[A-Za-z0-9._-]{1,128}`, no leading dot.
pub fn valid_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// MD5 of `bytes`, lowercase hex (the services' `fingerprint`).
pub fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One file of the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseFileEntry {
    pub name: String,
    pub size: u64,
    pub modified: SystemTime,
    path: PathBuf,
}

/// The operator's license directory.
#[derive(Debug, Clone)]
pub struct LicenseDir {
    dir: PathBuf,
}

impl LicenseDir {
    pub fn new(dir: impl Into<PathBuf>) -> LicenseDir {
        LicenseDir { dir: dir.into() }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The usable files (see the module's doc). A missing directory has none.
    pub async fn list(&self) -> io::Result<Vec<LicenseFileEntry>> {
        let mut entries = match tokio::fs::read_dir(&self.dir).await {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut files = Vec::new();
        while let Some(entry) = entries.next_entry().await? {
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            // `DirEntry::file_type` does not follow symlinks.
            if !valid_name(&name) || !entry.file_type().await?.is_file() {
                continue;
            }
            let meta = entry.metadata().await?;
            files.push(LicenseFileEntry {
                name,
                size: meta.len(),
                modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                path: entry.path(),
            });
        }
        Ok(files)
    }

    /// The most recently modified file (the later name on a tie).
    pub async fn newest(&self) -> io::Result<Option<LicenseFileEntry>> {
        Ok(self
            .list()
            .await?
            .into_iter()
            .max_by(|a, b| a.modified.cmp(&b.modified).then(a.name.cmp(&b.name))))
    }

    /// The file called `name`, found in the listing.
    pub async fn find(&self, name: &str) -> io::Result<Option<LicenseFileEntry>> {
        if !valid_name(name) {
            return Ok(None);
        }
        Ok(self.list().await?.into_iter().find(|f| f.name == name))
    }

    /// The contents of the file called `name`; `None` when there is no such file.
    pub async fn read(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        match self.find(name).await? {
            Some(file) => match tokio::fs::read(&file.path).await {
                Ok(bytes) => Ok(Some(bytes)),
                // removed between the listing and the read
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            },
            None => Ok(None),
        }
    }

    /// Stores `bytes` as `name` (replacing a file of that name), creating the directory if
    /// needed. `InvalidInput` for a name [`valid_name`] refuses.
    pub async fn write(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        if !valid_name(name) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "invalid license file name",
            ));
        }
        tokio::fs::create_dir_all(&self.dir).await?;
        // A hidden name: never listed, so never served half-written.
        let partial = self
            .dir
            .join(format!(".upload-{}", uuid::Uuid::new_v4().simple()));
        let target = self.dir.join(name);
        let written = async {
            tokio::fs::write(&partial, bytes).await?;
            tokio::fs::rename(&partial, &target).await
        }
        .await;
        if written.is_err() {
            let _ = tokio::fs::remove_file(&partial).await;
        }
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for good in ["license.bin", "a", "M3D_2026-11.lic", &"x".repeat(128)] {
            assert!(valid_name(good), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "../etc/passwd",
            "a/b",
            "a\\b",
            "a b",
            "é.bin",
            "a\0b",
            &"x".repeat(129),
        ] {
            assert!(!valid_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn fingerprints_are_lowercase_md5() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    }

    #[tokio::test]
    async fn only_valid_regular_files_exist_and_the_newest_is_chosen() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = LicenseDir::new(tmp.path().join("licenses"));
        assert_eq!(dir.list().await.expect("missing dir"), vec![]);
        assert!(dir.newest().await.expect("newest").is_none());

        dir.write("old.lic", b"old").await.expect("write");
        std::fs::write(tmp.path().join("licenses/.secret"), b"s").expect("write");
        std::fs::write(tmp.path().join("licenses/with space"), b"s").expect("write");
        std::fs::create_dir(tmp.path().join("licenses/sub.lic")).expect("mkdir");
        std::fs::write(tmp.path().join("outside.txt"), b"outside").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            tmp.path().join("outside.txt"),
            tmp.path().join("licenses/link.lic"),
        )
        .expect("symlink");
        let old = std::fs::File::options()
            .write(true)
            .open(tmp.path().join("licenses/old.lic"))
            .expect("open");
        old.set_modified(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000))
            .expect("mtime");
        dir.write("new.lic", b"new").await.expect("write");

        let names: Vec<String> = dir
            .list()
            .await
            .expect("list")
            .into_iter()
            .map(|f| f.name)
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, ["new.lic", "old.lic"]);
        assert_eq!(
            dir.newest().await.expect("newest").map(|f| f.name),
            Some("new.lic".to_owned())
        );
        assert_eq!(
            dir.read("old.lic").await.expect("read"),
            Some(b"old".to_vec())
        );
        for refused in ["link.lic", ".secret", "../outside.txt", "sub.lic", "nope"] {
            assert_eq!(dir.read(refused).await.expect("read"), None, "{refused}");
        }
        assert_eq!(
            dir.write("../escape", b"x").await.map_err(|e| e.kind()),
            Err(io::ErrorKind::InvalidInput)
        );
        assert!(!tmp.path().join("escape").exists());
        // replaced in place
        dir.write("old.lic", b"newer").await.expect("write");
        assert_eq!(
            dir.read("old.lic").await.expect("read"),
            Some(b"newer".to_vec())
        );
    }
}
