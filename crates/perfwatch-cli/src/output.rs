//! Writing output files without leaving half-written ones behind.

use anyhow::Context as _;
use std::io::Write;
use std::path::Path;

/// Render into `path` through a temporary file renamed into place, so an
/// error leaves any previous file intact; `-` means standard output.
pub fn write_file(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    if path.as_os_str() == "-" {
        let mut out = crate::stdout::stdout();
        render(&mut out)?;
        return Ok(out.flush()?);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("failed to create the folder {}", dir.display()))?;
    // Ordinary permissions (0666 less the umask), not the 0600 of a
    // private temporary file: reports are meant to be read.
    let mut tmp = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)
        .with_context(|| format!("failed to write {}", path.display()))?;
    // Buffered: renderers write token by token.
    let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, &mut tmp);
    render(&mut buffered).with_context(|| format!("failed to write {}", path.display()))?;
    buffered
        .flush()
        .with_context(|| format!("failed to write {}", path.display()))?;
    drop(buffered);
    tmp.persist(path)
        .with_context(|| format!("failed to write {}", path.display()))?;
    Ok(())
}
