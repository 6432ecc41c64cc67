//! What the file cache trusts: files and directories of this user's alone, opened so that a
//! planted FIFO or symlink cannot hang or redirect them.

use std::fs::{self, File, OpenOptions};
use std::io;

/// Whether `dir` is absent or this user's own and writable by no one else.
#[cfg(unix)]
pub(super) fn trusted_dir(dir: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = match fs::metadata(dir) {
        Ok(meta) => meta,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(format!("cannot inspect it ({err})")),
    };
    if !meta.is_dir() {
        return Err("it is not a directory".to_owned());
    }
    if let Some(uid) = own_uid()
        && meta.uid() != uid
    {
        return Err(format!(
            "it is owned by user {}, not by this process's user {uid}",
            meta.uid()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "its mode {:04o} lets other users write in it",
            meta.mode() & 0o7777
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
pub(super) fn trusted_dir(_dir: &std::path::Path) -> Result<(), String> {
    Ok(())
}

/// Options that create files readable and writable by their owner only, and whose open
/// never blocks: on a FIFO planted where a cache or lock file goes, a plain open waits for
/// the other end forever, while a non-blocking one returns (and the file is then refused as
/// not regular, or fails to open for writing). On regular files the flag changes nothing.
pub(super) fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NONBLOCK);
    }
    options
}

/// Whether an open cache file may be trusted: a regular file, owned by this process's user,
/// that no one else may read or write.
#[cfg(unix)]
pub(super) fn trusted(file: &File) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot inspect it ({e})"))?;
    if !meta.is_file() {
        return Err("it is not a regular file".to_owned());
    }
    if let Some(uid) = own_uid()
        && meta.uid() != uid
    {
        return Err(format!(
            "it is owned by user {}, not by this process's user {uid}",
            meta.uid()
        ));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(format!(
            "its mode {:04o} lets other users read or write it (0600 expected)",
            meta.mode() & 0o7777
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
pub(super) fn trusted(file: &File) -> Result<(), String> {
    match file.metadata() {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(_) => Err("it is not a regular file".to_owned()),
        Err(e) => Err(format!("cannot inspect it ({e})")),
    }
}

/// This process's effective user id, without `unsafe`: the owner of `/proc/self`. Where there
/// is no `/proc` the ownership check is skipped; the mode check still applies.
#[cfg(unix)]
fn own_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self").ok().map(|m| m.uid())
}
