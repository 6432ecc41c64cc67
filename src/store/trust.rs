//! What the file cache trusts: files and directories of this user's alone, opened so that a
//! planted FIFO or symlink cannot hang or redirect them.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;

/// Whether `dir` may hold this user's files: absent or this user's own directory that no one
/// else may write, reached only through what no other user can change. Each directory above
/// it (the nearest existing one, with symlinks resolved, up to `/`) must be this user's or
/// root's and writable by no one else unless sticky, as `/tmp` is: otherwise its writers
/// could rename `dir` away and put one of theirs in its place. The same holds above `dir` as
/// written, through its symlinks; and a symlink on the way must be this user's or root's:
/// another owner could point it elsewhere between a check and an open.
#[cfg(unix)]
pub(crate) fn trusted_dir(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let uid = own_uid();
    let mine_or_root = |owner: u32| uid.is_none_or(|uid| owner == uid) || owner == 0;
    let absolute = std::path::absolute(dir).map_err(|e| format!("cannot resolve it ({e})"))?;
    for prefix in absolute.ancestors() {
        match fs::symlink_metadata(prefix) {
            Ok(meta) if meta.file_type().is_symlink() && !mine_or_root(meta.uid()) => {
                return Err(format!(
                    "{} is a symbolic link owned by user {}",
                    prefix.display(),
                    meta.uid()
                ));
            }
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(format!("cannot inspect {} ({err})", prefix.display())),
        }
    }
    // The nearest directory that exists, `dir` itself included: what lies below it is made
    // by the store, private.
    let Some(existing) = absolute
        .ancestors()
        .find(|p| fs::symlink_metadata(p).is_ok())
    else {
        return Ok(());
    };
    let real = fs::canonicalize(existing).map_err(|e| format!("cannot resolve it ({e})"))?;
    let inspect = |path: &Path| {
        fs::metadata(path).map_err(|e| format!("cannot inspect {} ({e})", path.display()))
    };
    if existing == absolute {
        let meta = inspect(&real)?;
        if !meta.is_dir() {
            return Err("it is not a directory".to_owned());
        }
        owned_by(&meta, uid)?;
        if meta.mode() & 0o022 != 0 {
            return Err(format!(
                "its mode {:04o} lets other users write in it",
                meta.mode() & 0o7777
            ));
        }
    }
    let above = if existing == absolute {
        real.parent()
    } else {
        Some(real.as_path())
    };
    // Above the directory as resolved, and above it as written: a symlink of this user's in
    // a directory others may write could still be swapped by them.
    let written = absolute.ancestors().skip(1).filter(|p| p.exists());
    for parent in above.into_iter().flat_map(Path::ancestors).chain(written) {
        let meta = inspect(parent)?;
        if !mine_or_root(meta.uid()) {
            return Err(format!(
                "{} above it is owned by user {}, who could replace it",
                parent.display(),
                meta.uid()
            ));
        }
        if meta.mode() & 0o022 != 0 && meta.mode() & 0o1000 == 0 {
            return Err(format!(
                "{} above it has mode {:04o}: other users could replace it",
                parent.display(),
                meta.mode() & 0o7777
            ));
        }
    }
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn trusted_dir(_dir: &Path) -> Result<(), String> {
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
    own_regular(&meta)?;
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

/// Whether `meta` is of a regular file that this process's user owns.
#[cfg(unix)]
pub(super) fn own_regular(meta: &fs::Metadata) -> Result<(), String> {
    if !meta.is_file() {
        return Err("it is not a regular file".to_owned());
    }
    owned_by(meta, own_uid())
}

/// Whether `meta` is of user `uid` (when it is known).
#[cfg(unix)]
fn owned_by(meta: &fs::Metadata, uid: Option<u32>) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    match uid {
        Some(uid) if meta.uid() != uid => Err(format!(
            "it is owned by user {}, not by this process's user {uid}",
            meta.uid()
        )),
        _ => Ok(()),
    }
}

/// This process's effective user id, without `unsafe`: the owner of `/proc/self`. Where there
/// is no `/proc` the ownership check is skipped; the mode check still applies.
#[cfg(unix)]
fn own_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self").ok().map(|m| m.uid())
}
