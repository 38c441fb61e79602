//! Release packaging for an organisation that hosts the extension itself and installs it by
//! policy: the CRX3 packed by Chromium's own `--pack-extension` with the organisation's key, the
//! gupdate `updates.xml` that points at it, the Firefox `updates.json`, deterministic zips, and
//! the policy documents (`ExtensionInstallForcelist` / `ExtensionSettings` plus the extension's
//! `3rdparty` values). `cargo xtask dist --update-base` and the end-to-end policy tests both use
//! these functions.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// File names written beside the unpacked packages by `dist --update-base`.
pub const CRX_FILE: &str = "session-drop.crx";
pub const UPDATES_XML: &str = "updates.xml";
pub const UPDATES_JSON: &str = "updates.json";
pub const ID_FILE: &str = "extension-id.txt";
pub const FIREFOX_XPI: &str = "session-drop-firefox.xpi";
/// The organisation's key when `--key` is not given (git-ignored; created on first use).
pub const DEFAULT_KEY: &str = ".keys/session-drop.pem";

/// Zips every file under `dir` (recursively) into `out`: entries sorted, paths relative to `dir`
/// with `/`, no directory entries, the zip epoch (1980-01-01) as every timestamp, deflated —
/// the same bytes for the same files (a Chrome .zip, a Firefox .xpi).
pub fn zip_dir(dir: &Path, out: &Path) -> Result<()> {
    fn collect(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
        for e in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
            let e = e?;
            let p = e.path();
            if e.file_type()?.is_dir() {
                collect(base, &p, out)?;
            } else {
                let rel = p.strip_prefix(base)?;
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    files.sort();
    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for rel in files {
        let data = std::fs::read(dir.join(&rel)).with_context(|| format!("reading {rel}"))?;
        zip.start_file(rel.as_str(), options)
            .with_context(|| format!("zip entry {rel}"))?;
        zip.write_all(&data)?;
    }
    zip.finish()
        .with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

/// The organisation's signing key: an RSA private key in PEM (PKCS#8, as Chromium writes it, or
/// PKCS#1), and the public key (DER) that fixes the Chrome extension id.
#[derive(Debug, Clone)]
pub struct ChromeKey {
    pub path: PathBuf,
    pub public_der: Vec<u8>,
}

impl ChromeKey {
    /// Reads a PEM private key.
    pub fn load(path: &Path) -> Result<ChromeKey> {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
        let pem = std::fs::read_to_string(path)
            .with_context(|| format!("reading the key {}", path.display()))?;
        let private = rsa::RsaPrivateKey::from_pkcs8_pem(&pem)
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(&pem))
            .map_err(|e| {
                anyhow::anyhow!("{}: not an RSA private key in PEM ({e})", path.display())
            })?;
        let der = private
            .to_public_key()
            .to_public_key_der()
            .context("encoding the public key")?;
        Ok(ChromeKey {
            path: path.to_path_buf(),
            public_der: der.as_bytes().to_vec(),
        })
    }

    /// Reads `path`, or creates it first with Chromium (`--pack-extension` of an empty
    /// extension writes a fresh 2048-bit key beside it). Returns the key and whether it was created.
    pub fn load_or_create(chromium: &Path, path: &Path) -> Result<(ChromeKey, bool)> {
        if path.exists() {
            return Ok((ChromeKey::load(path)?, false));
        }
        let work = Scratch::new("key")?;
        let stage = work.path().join("key-maker");
        std::fs::create_dir_all(&stage)?;
        std::fs::write(
            stage.join("manifest.json"),
            r#"{"manifest_version":3,"name":"key","version":"1"}"#,
        )?;
        run_pack(chromium, &stage, None, work.path())?;
        let made = work.path().join("key-maker.pem");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::copy(&made, path).with_context(|| format!("writing {}", path.display()))?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        Ok((ChromeKey::load(path)?, true))
    }

    /// The Chrome extension id this key gives.
    pub fn id(&self) -> String {
        crate::identity::chrome_extension_id_from_der(&self.public_der)
    }

    /// The manifest `key` (base64 DER public key) that gives the same id unpacked.
    pub fn manifest_key(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&self.public_der)
    }
}

/// A temporary directory removed on drop.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Result<Scratch> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "session-drop-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).with_context(|| format!("creating {}", p.display()))?;
        Ok(Scratch(p))
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let dest = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &dest)?;
        } else {
            std::fs::copy(e.path(), dest)?;
        }
    }
    Ok(())
}

/// `chromium --pack-extension=STAGE [--pack-extension-key=KEY]`: writes `STAGE.crx` (and, without
/// a key, `STAGE.pem`) beside `STAGE`.
fn run_pack(chromium: &Path, stage: &Path, key: Option<&Path>, work: &Path) -> Result<()> {
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
    ])
    .arg(format!(
        "--user-data-dir={}",
        work.join("profile").display()
    ))
    .arg(format!("--pack-extension={}", stage.display()));
    if let Some(k) = key {
        cmd.arg(format!("--pack-extension-key={}", k.display()));
    }
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", chromium.display()))?;
    let crx = stage.with_extension("crx");
    if !out.status.success() || !crx.is_file() {
        bail!(
            "{} --pack-extension={} failed ({}): {}",
            chromium.display(),
            stage.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Packs the unpacked Chrome package `dir` into the CRX3 `out` with Chromium's own
/// `--pack-extension`, signed with `key`. The packed copy's manifest gets `key` (the same key,
/// so the id is the same packed or unpacked) and `update_url` when given.
pub fn pack_crx(
    chromium: &Path,
    dir: &Path,
    key: &ChromeKey,
    update_url: Option<&str>,
    out: &Path,
) -> Result<()> {
    let work = Scratch::new("crx")?;
    let stage = work.path().join("session-drop");
    copy_dir(dir, &stage).with_context(|| format!("copying {}", dir.display()))?;
    let mpath = stage.join("manifest.json");
    let mut manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(&mpath).with_context(|| format!("reading {}", mpath.display()))?,
    )?;
    let Value::Object(m) = &mut manifest else {
        bail!("{} is not a JSON object", mpath.display());
    };
    m.insert("key".into(), json!(key.manifest_key()));
    match update_url {
        Some(u) => m.insert("update_url".into(), json!(u)),
        None => m.remove("update_url"),
    };
    std::fs::write(&mpath, serde_json::to_string_pretty(&manifest)? + "\n")?;
    run_pack(chromium, &stage, Some(&key.path), work.path())?;
    let crx = stage.with_extension("crx");
    let bytes = std::fs::read(&crx)?;
    if bytes.len() < 8 || &bytes[..4] != b"Cr24" || bytes[4..8] != [3, 0, 0, 0] {
        bail!("{} is not a CRX3 file", crx.display());
    }
    std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

/// Escapes text for an XML attribute value.
fn xml_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The gupdate manifest Chrome and Edge fetch from an `ExtensionInstallForcelist` URL (and from
/// the extension's `update_url` afterwards): version `version` of `id` is at `crx_url`.
pub fn updates_xml(id: &str, version: &str, crx_url: &str) -> String {
    format!(
        "<?xml version='1.0' encoding='UTF-8'?>\n\
         <gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>\n  \
         <app appid='{}'>\n    \
         <updatecheck codebase='{}' version='{}' />\n  \
         </app>\n\
         </gupdate>\n",
        xml_attr(id),
        xml_attr(crx_url),
        xml_attr(version)
    )
}

/// The Firefox update manifest (`gecko.update_url`): version `version` of `gecko_id` is at
/// `xpi_url`.
pub fn updates_json(gecko_id: &str, version: &str, xpi_url: &str) -> Value {
    json!({ "addons": { gecko_id: { "updates": [
        { "version": version, "update_link": xpi_url }
    ] } } })
}

/// Chrome / Chromium / Edge machine policy: force-install `id` from `updates_xml_url` and give it
/// the managed values `managed` (its `storage.managed`).
pub fn chromium_policy(id: &str, updates_xml_url: &str, managed: &Value) -> Value {
    json!({
        "ExtensionInstallForcelist": [format!("{id};{updates_xml_url}")],
        "3rdparty": { "extensions": { id: managed } },
    })
}

/// Firefox `policies.json`: force-install `gecko_id` from `xpi_url` and give it `managed`.
pub fn firefox_policies(gecko_id: &str, xpi_url: &str, managed: &Value) -> Value {
    json!({ "policies": {
        "ExtensionSettings": { gecko_id: {
            "installation_mode": "force_installed",
            "install_url": xpi_url,
        } },
        "3rdparty": { "Extensions": { gecko_id: managed } },
    } })
}

/// Sets `browser_specific_settings.gecko.update_url` of the unpacked Firefox package `dir`.
pub fn set_gecko_update_url(dir: &Path, update_url: &str) -> Result<()> {
    edit_manifest(dir, |m| {
        m["browser_specific_settings"]["gecko"]["update_url"] = json!(update_url);
    })
}

/// Sets `browser_specific_settings.gecko.id` of the unpacked Firefox package `dir`.
pub fn set_gecko_id(dir: &Path, id: &str) -> Result<()> {
    edit_manifest(dir, |m| {
        m["browser_specific_settings"]["gecko"]["id"] = json!(id);
    })
}

/// Reads, edits and writes back `dir/manifest.json`.
pub fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut Value)) -> Result<()> {
    let p = dir.join("manifest.json");
    let mut m: Value = serde_json::from_str(
        &std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?,
    )
    .with_context(|| format!("parsing {}", p.display()))?;
    if !m.is_object() {
        bail!("{} is not a JSON object", p.display());
    }
    edit(&mut m);
    std::fs::write(&p, serde_json::to_string_pretty(&m)? + "\n")
        .with_context(|| format!("writing {}", p.display()))
}

/// `version` of the unpacked package `dir`.
pub fn manifest_version(dir: &Path) -> Result<String> {
    let p = dir.join("manifest.json");
    let m: Value = serde_json::from_str(&std::fs::read_to_string(&p)?)?;
    m["version"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("{} has no version", p.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_xml_names_the_crx_escaped() {
        let x = updates_xml(
            "abcdefghijklmnopabcdefghijklmnop",
            "1.2.3",
            "https://h/x?a=1&b='2'",
        );
        assert!(x.contains("appid='abcdefghijklmnopabcdefghijklmnop'"));
        assert!(x.contains("codebase='https://h/x?a=1&amp;b=&apos;2&apos;'"));
        assert!(x.contains("version='1.2.3'"));
        assert!(x.starts_with("<?xml"));
    }

    #[test]
    fn firefox_documents() {
        let u = updates_json("a@b", "1.0", "https://h/a.xpi");
        assert_eq!(
            u["addons"]["a@b"]["updates"][0]["update_link"],
            "https://h/a.xpi"
        );
        assert_eq!(u["addons"]["a@b"]["updates"][0]["version"], "1.0");
        let p = firefox_policies(
            "a@b",
            "https://h/a.xpi",
            &json!({"serverUrl": "https://pam"}),
        );
        assert_eq!(
            p["policies"]["ExtensionSettings"]["a@b"]["installation_mode"],
            "force_installed"
        );
        assert_eq!(
            p["policies"]["3rdparty"]["Extensions"]["a@b"]["serverUrl"],
            "https://pam"
        );
        let c = chromium_policy("id", "https://h/updates.xml", &json!({"clientId": "c"}));
        assert_eq!(
            c["ExtensionInstallForcelist"][0],
            "id;https://h/updates.xml"
        );
        assert_eq!(c["3rdparty"]["extensions"]["id"]["clientId"], "c");
    }

    #[test]
    fn zip_is_deterministic_and_complete() {
        let d = Scratch::new("zip-test").unwrap();
        let src = d.path().join("src");
        std::fs::create_dir_all(src.join("a/b")).unwrap();
        std::fs::write(src.join("z.txt"), "zzz".repeat(100)).unwrap();
        std::fs::write(src.join("a/b/c.json"), "{}").unwrap();
        zip_dir(&src, &d.path().join("1.zip")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        zip_dir(&src, &d.path().join("2.zip")).unwrap();
        let one = std::fs::read(d.path().join("1.zip")).unwrap();
        assert_eq!(one, std::fs::read(d.path().join("2.zip")).unwrap());
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(one)).unwrap();
        let names: Vec<String> = z.file_names().map(str::to_string).collect();
        assert_eq!(names.len(), 2);
        let mut s = String::new();
        std::io::Read::read_to_string(&mut z.by_name("z.txt").unwrap(), &mut s).unwrap();
        assert_eq!(s, "zzz".repeat(100));
        assert!(z.by_name("a/b/c.json").is_ok());
    }

    #[test]
    fn crx_packed_by_chromium_with_a_created_key() {
        let chromium = Path::new(crate::browsers::CHROMIUM);
        if !chromium.exists() {
            panic!("{} missing: run `cargo xtask setup`", chromium.display());
        }
        let d = Scratch::new("crx-test").unwrap();
        let key_path = d.path().join("keys/org.pem");
        let (key, created) = ChromeKey::load_or_create(chromium, &key_path).unwrap();
        assert!(created);
        let (again, created) = ChromeKey::load_or_create(chromium, &key_path).unwrap();
        assert!(!created);
        assert_eq!(again.id(), key.id());
        assert_eq!(
            crate::identity::chrome_extension_id(&key.manifest_key()).unwrap(),
            key.id()
        );
        let ext = d.path().join("ext");
        std::fs::create_dir_all(&ext).unwrap();
        std::fs::write(
            ext.join("manifest.json"),
            r#"{"manifest_version":3,"name":"t","version":"1.0","key":"OTHER"}"#,
        )
        .unwrap();
        let out = d.path().join("t.crx");
        pack_crx(chromium, &ext, &key, Some("https://h/updates.xml"), &out).unwrap();
        let crx = std::fs::read(&out).unwrap();
        assert_eq!(&crx[..4], b"Cr24");
        // The CRX header carries the public key (hence the id).
        assert!(crx
            .windows(key.public_der.len())
            .any(|w| w == key.public_der.as_slice()));
        // The packed manifest got the same key and the update URL; the source is untouched.
        let zip_start = crx.windows(4).position(|w| w == b"PK\x03\x04").unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&crx[zip_start..])).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut z.by_name("manifest.json").unwrap(), &mut s).unwrap();
        let m: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(m["key"], key.manifest_key());
        assert_eq!(m["update_url"], "https://h/updates.xml");
        assert!(std::fs::read_to_string(ext.join("manifest.json"))
            .unwrap()
            .contains("OTHER"));
    }
}
